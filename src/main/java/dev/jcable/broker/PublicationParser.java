package dev.jcable.broker;

import dev.jcable.protocol.JsonText;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses a broadcast body: one publication {@code {"stream":…,"data":…,"meta":{…}}} or remote command
 * {@code {"command":"disconnect","payload":{"identifier":…,"reconnect":…}}}, or an array of them. The whole body is
 * validated before anything is published, so a bad batch publishes nothing.
 */
public final class PublicationParser {

    /** Why a body was refused: {@code 400} for JSON that does not parse, {@code 422} for the wrong shape. */
    public static final class InvalidBody extends Exception {
        private final int status;

        InvalidBody(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    private PublicationParser() {
    }

    public static List<Broadcast> parse(String body) throws InvalidBody {
        if (body == null || body.isBlank()) {
            throw new InvalidBody(400, "empty body: expected a publication or an array of publications");
        }
        JsonValue root;
        try {
            root = JsonText.parse(body);
        } catch (JsonException e) {
            throw new InvalidBody(400, "body is not valid JSON");
        }
        if (root.getValueType() == JsonValue.ValueType.OBJECT) {
            return List.of(broadcast(root.asJsonObject(), ""));
        }
        if (root.getValueType() == JsonValue.ValueType.ARRAY && !root.asJsonArray().isEmpty()) {
            List<Broadcast> all = new ArrayList<>(root.asJsonArray().size());
            int index = 0;
            for (JsonValue item : root.asJsonArray()) {
                String where = "[" + index++ + "]";
                if (item.getValueType() != JsonValue.ValueType.OBJECT) {
                    throw new InvalidBody(422, where + " is not a publication object");
                }
                all.add(broadcast(item.asJsonObject(), where));
            }
            return all;
        }
        throw new InvalidBody(422, "expected a publication object or a non-empty array of them");
    }

    /** A publication, or (AnyCable: a message without {@code stream} that has {@code command}) a remote command. */
    private static Broadcast broadcast(JsonObject obj, String where) throws InvalidBody {
        if (!obj.containsKey("stream") && obj.containsKey("command")) {
            return command(obj, where);
        }
        return publication(obj, where);
    }

    private static RemoteCommand command(JsonObject obj, String where) throws InvalidBody {
        if (!(obj.get("command") instanceof JsonString name) || !name.getString().equals("disconnect")) {
            throw new InvalidBody(422, where + "command must be \"disconnect\" (the only remote command)");
        }
        if (!(obj.get("payload") instanceof JsonObject payload)) {
            throw new InvalidBody(422, where + "payload must be an object");
        }
        if (!(payload.get("identifier") instanceof JsonString identifier) || identifier.getString().isEmpty()) {
            throw new InvalidBody(422, where + "payload.identifier must be a non-empty string (the connection's"
                    + " identifiers as JSON)");
        }
        JsonValue reconnect = payload.get("reconnect");
        if (reconnect != null && reconnect != JsonValue.TRUE && reconnect != JsonValue.FALSE
                && reconnect.getValueType() != JsonValue.ValueType.NULL) {
            throw new InvalidBody(422, where + "payload.reconnect must be a boolean");
        }
        return new RemoteCommand(identifier.getString(), reconnect == JsonValue.TRUE);
    }

    private static Publication publication(JsonObject obj, String where) throws InvalidBody {
        if (!(obj.get("stream") instanceof JsonString stream) || stream.getString().isEmpty()) {
            throw new InvalidBody(422, where + "stream must be a non-empty string");
        }
        JsonValue data = obj.get("data");
        if (data == null || data.getValueType() == JsonValue.ValueType.NULL) {
            throw new InvalidBody(422, where + "data is missing");
        }
        // AnyCable SDKs send data as a JSON-encoded string; a JSON value is accepted as its own text
        String text = data instanceof JsonString s ? s.getString() : data.toString();
        String exclude = null;
        JsonValue meta = obj.get("meta");
        if (meta != null && meta.getValueType() != JsonValue.ValueType.NULL) {
            if (meta.getValueType() != JsonValue.ValueType.OBJECT) {
                throw new InvalidBody(422, where + "meta must be an object");
            }
            JsonValue socket = meta.asJsonObject().get("exclude_socket");
            if (socket instanceof JsonString s) {
                exclude = s.getString();
            } else if (socket != null && socket.getValueType() != JsonValue.ValueType.NULL) {
                throw new InvalidBody(422, where + "meta.exclude_socket must be a string");
            }
        }
        return new Publication(stream.getString(), text, exclude);
    }
}
