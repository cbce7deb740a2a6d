package dev.jcable.pusher;

import dev.jcable.protocol.JsonText;
import dev.jcable.protocol.PresenceInfo;

/**
 * The frames of Pusher's protocol 7: {@code {"event":…,"channel":…,"data":…}}, where {@code data} is a JSON string
 * holding JSON (as Pusher sends it; pusher-js parses it), except in {@code pusher:error} and
 * {@code pusher:subscription_error}, whose data is an object.
 */
final class PusherFrames {

    private PusherFrames() {
    }

    static String established(String socketId, int activityTimeoutSeconds) {
        return event("pusher:connection_established", null, "{\"socket_id\":" + JsonText.quote(socketId)
                + ",\"activity_timeout\":" + activityTimeoutSeconds + "}");
    }

    /** @param code a Pusher error code (4000–4399), or null for an error that closes nothing */
    static String error(Integer code, String message) {
        return "{\"event\":\"pusher:error\",\"data\":{\"code\":" + code + ",\"message\":" + JsonText.quote(message)
                + "}}";
    }

    /** A refused subscription: pusher-js emits it on the channel (Laravel Echo's {@code error()} callback). */
    static String subscriptionError(String channel, String type, String error, int status) {
        return "{\"event\":\"pusher:subscription_error\",\"channel\":" + JsonText.quote(channel)
                + ",\"data\":{\"type\":" + JsonText.quote(type) + ",\"error\":" + JsonText.quote(error)
                + ",\"status\":" + status + "}}";
    }

    static String ping() {
        return event("pusher:ping", null, "{}");
    }

    static String pong() {
        return event("pusher:pong", null, "{}");
    }

    static String succeeded(String channel) {
        return event("pusher_internal:subscription_succeeded", channel, "{}");
    }

    /** {@code {"presence":{"ids":[…],"hash":{id: info},"count":n}}}: every member, once per user id. */
    static String succeeded(String channel, PresenceInfo members) {
        StringBuilder ids = new StringBuilder("[");
        StringBuilder hash = new StringBuilder("{");
        for (PresenceInfo.Record record : members.records()) {
            if (ids.length() > 1) {
                ids.append(',');
                hash.append(',');
            }
            JsonText.appendQuoted(ids, record.id());
            JsonText.appendQuoted(hash, record.id());
            hash.append(':').append(record.info() == null ? "null" : record.info());
        }
        String presence = "{\"presence\":{\"ids\":" + ids + "],\"hash\":" + hash + "},\"count\":"
                + members.total() + "}}";
        return event("pusher_internal:subscription_succeeded", channel, presence);
    }

    static String memberAdded(String channel, String userId, String userInfo) {
        return event("pusher_internal:member_added", channel, "{\"user_id\":" + JsonText.quote(userId)
                + ",\"user_info\":" + (userInfo == null ? "null" : userInfo) + "}");
    }

    static String memberRemoved(String channel, String userId) {
        return event("pusher_internal:member_removed", channel, "{\"user_id\":" + JsonText.quote(userId) + "}");
    }

    /**
     * An event on a channel.
     *
     * @param data   the data as Pusher carries it: a string (usually JSON text), sent as a JSON string
     * @param userId the sender's user id (a client event on a presence channel), or null
     */
    static String channelEvent(String event, String channel, String data, String userId) {
        StringBuilder out = new StringBuilder(data.length() + 64).append("{\"event\":");
        JsonText.appendQuoted(out, event);
        out.append(",\"channel\":");
        JsonText.appendQuoted(out, channel);
        out.append(",\"data\":");
        JsonText.appendQuoted(out, data);
        if (userId != null) {
            out.append(",\"user_id\":");
            JsonText.appendQuoted(out, userId);
        }
        return out.append('}').toString();
    }

    private static String event(String event, String channel, String data) {
        return channel == null ? channelEventWithoutChannel(event, data) : channelEvent(event, channel, data, null);
    }

    private static String channelEventWithoutChannel(String event, String data) {
        return "{\"event\":" + JsonText.quote(event) + ",\"data\":" + JsonText.quote(data) + "}";
    }
}
