package dev.jcable.protocol;

import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

/** Decodes client frames and encodes every server frame of the Action Cable (+ AnyCable extended) protocol. */
public final class Codec {

    private Codec() {
    }

    public static Command decode(String frame) throws ProtocolException {
        JsonValue root;
        try {
            root = JsonText.parse(frame);
        } catch (JsonException e) {
            throw new ProtocolException("not JSON");
        }
        if (root.getValueType() != JsonValue.ValueType.OBJECT) {
            throw new ProtocolException("not a JSON object");
        }
        JsonObject obj = root.asJsonObject();
        String command = stringMember(obj, "command");
        if (command == null) {
            throw new ProtocolException("missing command");
        }
        return new Command(command, stringMember(obj, "identifier"), member(obj, "data"),
                objectMember(obj, "presence"), objectMember(obj, "history"));
    }

    private static JsonValue member(JsonObject obj, String name) {
        JsonValue v = obj.get(name);
        return v == null || v.getValueType() == JsonValue.ValueType.NULL ? null : v;
    }

    private static String stringMember(JsonObject obj, String name) throws ProtocolException {
        JsonValue v = member(obj, name);
        if (v == null) {
            return null;
        }
        if (v.getValueType() != JsonValue.ValueType.STRING) {
            throw new ProtocolException("'" + name + "' is not a string");
        }
        return ((JsonString) v).getString();
    }

    private static JsonObject objectMember(JsonObject obj, String name) throws ProtocolException {
        JsonValue v = member(obj, name);
        if (v == null) {
            return null;
        }
        if (v.getValueType() != JsonValue.ValueType.OBJECT) {
            throw new ProtocolException("'" + name + "' is not an object");
        }
        return v.asJsonObject();
    }

    // ---- server → client frames -------------------------------------------------------------------

    public static String welcome(String sid) {
        return "{\"type\":\"welcome\",\"sid\":" + JsonText.quote(sid) + "}";
    }

    /** The welcome of a restored session: its new {@code sid} and the identifiers that need no re-subscribe. */
    public static String welcomeRestored(String sid, Iterable<String> restoredIdentifiers) {
        StringBuilder out = new StringBuilder("{\"type\":\"welcome\",\"sid\":").append(JsonText.quote(sid))
                .append(",\"restored\":true,\"restored_ids\":[");
        boolean first = true;
        for (String identifier : restoredIdentifiers) {
            if (!first) {
                out.append(',');
            }
            first = false;
            JsonText.appendQuoted(out, identifier);
        }
        return out.append("]}").toString();
    }

    public static String ping(long timestamp) {
        return "{\"type\":\"ping\",\"message\":" + timestamp + "}";
    }

    public static String pong() {
        return "{\"type\":\"pong\"}";
    }

    public static String disconnect(String reason, boolean reconnect) {
        return "{\"type\":\"disconnect\",\"reason\":" + JsonText.quote(reason) + ",\"reconnect\":" + reconnect + "}";
    }

    /** {@code confirm_subscription}, {@code reject_subscription}, {@code confirm_history}, {@code reject_history}. */
    public static String typed(String type, String quotedIdentifier) {
        return "{\"type\":\"" + type + "\",\"identifier\":" + quotedIdentifier + "}";
    }

    /**
     * A command of the subscription refused with a reason, e.g. {@code {"type":"whisper_rejected","identifier":…,
     * "reason":"overloaded"}}.
     */
    public static String rejected(String type, String quotedIdentifier, String reason) {
        return "{\"type\":\"" + type + "\",\"identifier\":" + quotedIdentifier + ",\"reason\":"
                + JsonText.quote(reason) + "}";
    }

    /** A delivery to one identifier: {@code message} is already a JSON value. */
    public static String message(String quotedIdentifier, String messageJson) {
        return "{\"identifier\":" + quotedIdentifier + ",\"message\":" + messageJson + "}";
    }

    /**
     * A delivery of a durable message: {@code streamMeta} is {@link #streamMeta}'s text, encoded once per message
     * and shared by every identifier.
     */
    public static String message(String quotedIdentifier, String messageJson, String streamMeta) {
        return "{\"identifier\":" + quotedIdentifier + ",\"message\":" + messageJson + streamMeta + "}";
    }

    /** {@code ,"stream_id":…,"epoch":…,"offset":N}: where a message sits in its stream's history. */
    public static String streamMeta(String stream, String epoch, long offset) {
        return ",\"stream_id\":" + JsonText.quote(stream) + ",\"epoch\":" + JsonText.quote(epoch)
                + ",\"offset\":" + offset;
    }

    /** A presence frame (event, info or error) to one identifier. */
    public static String presence(String quotedIdentifier, String messageJson) {
        return "{\"type\":\"presence\",\"identifier\":" + quotedIdentifier + ",\"message\":" + messageJson + "}";
    }

    /**
     * The {@code message} of a presence event: {@code {"type":"join","id":…,"info":…,"seq":N}} or
     * {@code {"type":"leave","id":…,"seq":N}}, {@code seq} being the transition's number in its stream
     * ({@link PresenceEvent#seq}); an event without one (0) has no {@code seq} rather than a false 0.
     */
    public static String presenceEvent(PresenceEvent event) {
        StringBuilder out = new StringBuilder(64).append("{\"type\":\"").append(event.join() ? "join" : "leave")
                .append("\",\"id\":");
        JsonText.appendQuoted(out, event.id());
        if (event.join() && event.info() != null) {
            out.append(",\"info\":").append(event.info());
        }
        return appendSeq(out, event.seq()).append('}').toString();
    }

    /** {@code ,"seq":N}, or nothing for 0 (no number: no transition on record, or an event that has none). */
    private static StringBuilder appendSeq(StringBuilder out, long seq) {
        return seq > 0 ? out.append(",\"seq\":").append(seq) : out;
    }

    /**
     * {@code {"type":"info","total":N,"seq":S,"records":[{"id":…,"info":…},…]}}; no {@code records} when empty or not
     * wanted, no {@code seq} when the stream has no transition on record ({@link PresenceInfo#seq}). Records are listed
     * in join order while the whole stays within {@code maxChars} characters (the last record that would not fit, and
     * every one after it, is left out); {@code total} always counts every member.
     */
    public static String presenceInfo(PresenceInfo info, boolean withRecords, long maxChars) {
        StringBuilder out = new StringBuilder(64 + (int) Math.min(info.records().size() * 48L, maxChars))
                .append("{\"type\":\"info\",\"total\":").append(info.total());
        appendSeq(out, info.seq());
        if (withRecords && !info.records().isEmpty()) {
            int open = out.length();
            out.append(",\"records\":[");
            boolean first = true;
            for (PresenceInfo.Record record : info.records()) {
                int mark = out.length();
                if (!first) {
                    out.append(',');
                }
                out.append("{\"id\":");
                JsonText.appendQuoted(out, record.id());
                if (record.info() != null) {
                    out.append(",\"info\":").append(JsonText.safe(record.info()));
                }
                out.append('}');
                if (out.length() + 2 > maxChars) { // "]}" still has to fit
                    out.setLength(mark);
                    break;
                }
                first = false;
            }
            if (first) {
                out.setLength(open); // not even one record fits: none, as for an empty room
            } else {
                out.append(']');
            }
        }
        return out.append('}').toString();
    }

    /** A presence request that cannot be served: {@code {"type":"error","reason":…}} (the JS client rejects info()). */
    public static String presenceError(String reason) {
        return "{\"type\":\"error\",\"reason\":" + JsonText.quote(reason) + "}";
    }
}
