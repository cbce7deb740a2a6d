package dev.jcable.pusher;

import dev.jcable.protocol.JsonText;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

/**
 * How a Pusher event travels as a jcable publication, so that one stream carries both protocols: its data is
 * {@code {"event":E,"data":D}} (plus {@code "user_id"} for a client event on a presence channel), which an AnyCable
 * subscriber of the stream receives as it is. Going the other way, a publication whose data has that shape reaches
 * Pusher subscribers as event E; any other publication ({@code /_broadcast}, the Java {@code Broadcaster}, an AnyCable
 * whisper) reaches them as the event {@value #DEFAULT_EVENT} whose data is the publication's data.
 *
 * @param event  the Pusher event name
 * @param data   the event's data as Pusher carries it: a string
 * @param userId the sender of a client event on a presence channel, or null
 */
record PusherEnvelope(String event, String data, String userId) {

    /** The event name of a publication that does not name one (docs/pusher.md). */
    static final String DEFAULT_EVENT = "message";

    /** The publication data for this event. */
    String encode() {
        StringBuilder out = new StringBuilder(data.length() + 48).append("{\"event\":");
        JsonText.appendQuoted(out, event);
        out.append(",\"data\":");
        JsonText.appendQuoted(out, data);
        if (userId != null) {
            out.append(",\"user_id\":");
            JsonText.appendQuoted(out, userId);
        }
        return out.append('}').toString();
    }

    /** The event a delivered message ({@code messageJson}, a JSON value) is for a Pusher subscriber. */
    static PusherEnvelope decode(String messageJson) {
        if (messageJson.startsWith("{") && messageJson.contains("\"event\"")) {
            try {
                if (JsonText.parse(messageJson) instanceof JsonObject object && isEnvelope(object)) {
                    JsonValue data = object.get("data");
                    String userId = object.get("user_id") instanceof JsonString u ? u.getString() : null;
                    return new PusherEnvelope(((JsonString) object.get("event")).getString(),
                            data instanceof JsonString s ? s.getString() : data.toString(), userId);
                }
            } catch (JsonException e) {
                // not ours: delivered whole below
            }
        }
        if (messageJson.startsWith("\"")) {
            try {
                return new PusherEnvelope(DEFAULT_EVENT, ((JsonString) JsonText.parse(messageJson)).getString(), null);
            } catch (JsonException | ClassCastException e) {
                // delivered whole below
            }
        }
        return new PusherEnvelope(DEFAULT_EVENT, messageJson, null);
    }

    private static boolean isEnvelope(JsonObject object) {
        if (!(object.get("event") instanceof JsonString) || !object.containsKey("data")) {
            return false;
        }
        int expected = object.get("user_id") instanceof JsonString ? 3 : 2;
        return object.size() == expected;
    }
}
