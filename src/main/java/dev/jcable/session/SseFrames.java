package dev.jcable.session;

import dev.jcable.protocol.JsonText;
import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

/**
 * AnyCable's frames as server-sent events (docs/sse.md), as AnyCable's {@code /events} writes them for GET clients:
 * a typed frame ({@code welcome}, {@code confirm_subscription}, {@code ping}, {@code disconnect}, …) is an event of
 * that name carrying the whole frame; a stream message is an unnamed event carrying only its {@code message}, with
 * {@code id: <offset>/<stream>/<epoch>} when it is durable, so that {@code Last-Event-ID} can resume from history. A
 * {@code disconnect} that must not reconnect adds {@code retry:} of a year: EventSource has no other way to be told.
 */
public final class SseFrames {

    /** A year, in ms: the {@code retry} of a disconnect without reconnect (AnyCable's value). */
    public static final long NO_RETRY = 31_536_000_000L;

    private SseFrames() {
    }

    /** The event for an AnyCable frame, or the empty string for a frame that has none (not a JSON object). */
    public static String event(String frame) {
        JsonObject object;
        try {
            object = JsonText.parse(frame) instanceof JsonObject o ? o : null;
        } catch (JsonException e) {
            object = null;
        }
        if (object == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(frame.length() + 48);
        if (object.get("type") instanceof JsonString type) {
            out.append("event: ").append(oneLine(type.getString())).append('\n');
            data(out, frame);
            if ("disconnect".equals(type.getString()) && object.get("reconnect") == JsonValue.FALSE) {
                out.append("retry: ").append(NO_RETRY).append('\n');
            }
            return out.append('\n').toString();
        }
        JsonValue message = object.get("message");
        if (message == null) {
            return "";
        }
        String id = id(object);
        if (id != null) {
            out.append("id: ").append(id).append('\n');
        }
        data(out, message.toString());
        return out.append('\n').toString();
    }

    /** {@code <offset>/<stream>/<epoch>} of a durable message, or null. */
    static String id(JsonObject frame) {
        if (frame.get("offset") instanceof JsonNumber offset && frame.get("stream_id") instanceof JsonString stream
                && frame.get("epoch") instanceof JsonString epoch) {
            return oneLine(offset.longValue() + "/" + stream.getString() + "/" + epoch.getString());
        }
        return null;
    }

    /**
     * A {@code Last-Event-ID} as the stream position it names, or null when it is not one of ours. The stream may
     * hold slashes; the offset and the epoch do not.
     */
    public static Position position(String lastEventId) {
        if (lastEventId == null) {
            return null;
        }
        int first = lastEventId.indexOf('/');
        int last = lastEventId.lastIndexOf('/');
        if (first <= 0 || last <= first + 1 || last == lastEventId.length() - 1) {
            return null;
        }
        try {
            long offset = Long.parseLong(lastEventId.substring(0, first));
            return offset < 0 ? null : new Position(offset, lastEventId.substring(first + 1, last),
                    lastEventId.substring(last + 1));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Where a client stopped in a stream's history. */
    public record Position(long offset, String stream, String epoch) {
    }

    /** One {@code data:} line per line of {@code text}: EventSource joins them with a newline. */
    private static void data(StringBuilder out, String text) {
        for (String line : text.split("\r\n|\r|\n", -1)) {
            out.append("data: ").append(line).append('\n');
        }
    }

    /** A field value cannot hold a line break (it would end the field). */
    private static String oneLine(String value) {
        return value.replace('\r', ' ').replace('\n', ' ');
    }
}
