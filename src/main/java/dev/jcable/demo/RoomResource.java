package dev.jcable.demo;

import dev.jcable.api.ApiError;
import dev.jcable.api.Broadcaster;
import dev.jcable.api.StreamSigner;
import dev.jcable.config.CableConfig;
import dev.jcable.protocol.JsonText;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.regex.Pattern;

/**
 * The demo's two endpoints. The page never holds a secret: it asks here for its room's signed stream name (signed
 * with the server-side {@link StreamSigner}) and posts its messages here, which broadcasts them with the injectable
 * {@link Broadcaster}.
 * <ul>
 * <li>{@code GET /demo-api/rooms/{room}/stream} → {@code {"signed_stream_name":"…","presence_ttl_ms":15000}}</li>
 * <li>{@code POST /demo-api/rooms/{room}/messages} with {@code {"name":"…","text":"…"}} → 201, and every page in
 * the room receives {@code {"name":"…","text":"…","at":<epoch ms>}}</li>
 * </ul>
 * Errors are JSON: 404 when the demo is off, 400 for a body that is not JSON, 422 for a bad room, name or text.
 */
@RequestScoped
@Path("rooms/{room}")
public class RoomResource {

    static final int MAX_ROOM = 40;
    static final int MAX_NAME = 40;
    static final int MAX_TEXT = 500;
    private static final Pattern ROOM = Pattern.compile("[A-Za-z0-9_-]{1," + MAX_ROOM + "}");

    @Inject
    CableConfig config;

    @Inject
    StreamSigner signer;

    @Inject
    Broadcaster broadcaster;

    @GET
    @Path("stream")
    @Produces(MediaType.APPLICATION_JSON)
    public String stream(@PathParam("room") String room) {
        String stream = streamOf(room);
        return "{\"signed_stream_name\":" + JsonText.quote(signer.sign(stream))
                + ",\"presence_ttl_ms\":" + config.presenceTtl().toMillis() + "}";
    }

    @POST
    @Path("messages")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response message(@PathParam("room") String room, String body) {
        String stream = streamOf(room);
        JsonObject request = parse(body);
        String name = clean(request.get("name"), false);
        String text = clean(request.get("text"), true);
        check("name", name, MAX_NAME);
        check("text", text, MAX_TEXT);
        String message = "{\"name\":" + JsonText.quote(name) + ",\"text\":" + JsonText.quote(text)
                + ",\"at\":" + System.currentTimeMillis() + "}";
        broadcaster.broadcast(stream, message);
        return Response.status(Response.Status.CREATED).entity(message).build();
    }

    /** The room's stream; 404 when the demo is off, 422 for a room name outside {@code [A-Za-z0-9_-]{1,40}}. */
    private String streamOf(String room) {
        if (!config.demo()) {
            throw ApiError.of(404, "not_found", "Not Found");
        }
        if (room == null || !ROOM.matcher(room).matches()) {
            throw ApiError.of(422, "invalid_room",
                    "room must be 1 to " + MAX_ROOM + " characters of A-Z, a-z, 0-9, '_' and '-'");
        }
        return "demo/room/" + room;
    }

    private static JsonObject parse(String body) {
        try {
            if (JsonText.parse(body == null ? "" : body) instanceof JsonObject object) {
                return object;
            }
        } catch (JsonException e) {
            // answered below
        }
        throw ApiError.of(400, "invalid_json", "the body must be a JSON object {\"name\":\"…\",\"text\":\"…\"}");
    }

    /**
     * The string without control characters (a text keeps its line breaks and tabs) and unpaired surrogates; a name
     * also has its runs of white space made one space. Null when the value is not a string.
     */
    static String clean(JsonValue value, boolean multiline) {
        if (!(value instanceof JsonString string)) {
            return null;
        }
        StringBuilder out = new StringBuilder();
        string.getString().replace("\r\n", "\n").codePoints().forEach(c -> {
            if (multiline && (c == '\n' || c == '\r' || c == '\t')) {
                out.append(c == '\r' ? '\n' : (char) c);
            } else if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
                out.append(' ');
            } else if (!Character.isISOControl(c) && !(c >= 0xD800 && c <= 0xDFFF)) {
                out.appendCodePoint(c);
            }
        });
        String cleaned = out.toString().strip();
        return multiline ? cleaned : cleaned.replaceAll(" {2,}", " ");
    }

    private static void check(String field, String value, int max) {
        if (value == null || value.isEmpty()) {
            throw ApiError.of(422, field + "_required", field + " is required (1 to " + max + " characters)");
        }
        int length = value.codePointCount(0, value.length());
        if (length > max) {
            throw ApiError.of(422, field + "_too_long",
                    field + " is too long: " + length + " characters, at most " + max + " allowed");
        }
    }
}
