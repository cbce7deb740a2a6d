package dev.jcable.demo;

import dev.jcable.api.Broadcaster;
import dev.jcable.api.CableChannel;
import dev.jcable.api.ChannelContext;
import dev.jcable.config.CableConfig;
import dev.jcable.protocol.JsonText;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.regex.Pattern;

/**
 * The demo room as a Java channel ({@code cable.subscribeTo('RoomChannel', {room: 'lobby'})}), the example
 * docs/channels.md walks through. The demo has no login: a member is who the connection URL says,
 * {@code /cable?uid=<id>&name=<name>}, and joins the room's presence from the server under that id.
 * <ul>
 * <li>{@code subscribed}: rejected when the demo is off, or for a bad room, uid or name; else streams from
 * {@code demo/room/<room>}, transmits {@code {"presence_ttl_ms":…}} and joins presence as
 * {@code uid} with {@code {"name":…}}.</li>
 * <li>{@code speak} with {@code text}: the room gets {@code {"name":…,"text":…}}; a bad text is answered to the
 * sender only, as {@code {"error":…,"message":…}}.</li>
 * </ul>
 */
@ApplicationScoped
@CableChannel("RoomChannel")
public class RoomChannel {

    static final int MAX_NAME = 40;
    static final int MAX_TEXT = 500;
    private static final Pattern ROOM = Pattern.compile("[A-Za-z0-9_-]{1,40}");
    private static final Pattern UID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    @Inject
    CableConfig config;

    @Inject
    Broadcaster cable;

    public void subscribed(ChannelContext channel) {
        String room = room(channel);
        String uid = channel.connectionParameter("uid");
        String name = name(channel);
        if (!config.demo() || room == null || uid == null || !UID.matcher(uid).matches() || name == null) {
            channel.reject();
            return;
        }
        channel.streamFrom("demo/room/" + room);
        channel.transmit("{\"presence_ttl_ms\":" + config.presenceTtl().toMillis() + "}");
        channel.joinPresence(uid, "{\"name\":" + JsonText.quote(name) + "}");
    }

    public void speak(ChannelContext channel, JsonObject data) {
        String text = clean(data.get("text"), true);
        String refusal = refusal("text", text, MAX_TEXT);
        if (refusal != null) {
            channel.transmit(refusal);
            return;
        }
        cable.broadcast("demo/room/" + room(channel), "{\"name\":" + JsonText.quote(name(channel)) + ",\"text\":"
                + JsonText.quote(text) + "}");
    }

    private static String room(ChannelContext channel) {
        JsonValue room = channel.params().get("room");
        return room instanceof JsonString s && ROOM.matcher(s.getString()).matches() ? s.getString() : null;
    }

    /** The connection's {@code name}, cleaned; null when missing, empty or too long. */
    private static String name(ChannelContext channel) {
        String raw = channel.connectionParameter("name");
        String name = raw == null ? null : clean(jakarta.json.Json.createValue(raw), false);
        return refusal("name", name, MAX_NAME) == null ? name : null;
    }

    /** {@code {"error":…,"message":…}} for a missing or too long value, else null. Lengths count characters. */
    static String refusal(String field, String value, int max) {
        if (value == null || value.isEmpty()) {
            return error(field + "_required", field + " is required (1 to " + max + " characters)");
        }
        int length = value.codePointCount(0, value.length());
        if (length > max) {
            return error(field + "_too_long",
                    field + " is too long: " + length + " characters, at most " + max + " allowed");
        }
        return null;
    }

    private static String error(String code, String message) {
        return "{\"error\":" + JsonText.quote(code) + ",\"message\":" + JsonText.quote(message) + "}";
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
}
