package dev.jcable.bench;

import dev.jcable.testsupport.Signing;
/** Frames of the ext protocol the load generator sends. */
final class Cable {

    private Cable() {
    }

    static String identifier(String secret, String stream) {
        return "{\"channel\":\"$pubsub\",\"signed_stream_name\":\"" + Signing.sign(secret, stream) + "\"}";
    }

    static String subscribe(String identifier) {
        return "{\"command\":\"subscribe\",\"identifier\":" + Payload.quoted(identifier) + "}";
    }

    static String join(String identifier, String id) {
        return "{\"command\":\"join\",\"identifier\":" + Payload.quoted(identifier) + ",\"presence\":{\"id\":\"" + id
                + "\",\"info\":{\"name\":\"" + id + "\"}}}";
    }

    static String leave(String identifier) {
        return "{\"command\":\"leave\",\"identifier\":" + Payload.quoted(identifier) + "}";
    }

    /**
     * One presence member's handshake, fed every frame it receives: subscribe on welcome, join on confirm, and
     * {@code ready} counted down once its own join comes back.
     */
    record Member(String identifier, String id, String joined) {
        Member(String identifier, String id) {
            this(identifier, id, "\"type\":\"join\",\"id\":\"" + id + "\"");
        }

        void step(Conn conn, String frame, java.util.concurrent.CountDownLatch ready) {
            if (welcome(frame)) {
                conn.send(subscribe(identifier));
            } else if (confirmed(frame)) {
                conn.send(join(identifier, id));
            } else if (frame.contains(joined)) {
                ready.countDown();
            }
        }
    }

    static boolean welcome(String frame) {
        return frame.startsWith("{\"type\":\"welcome\"");
    }

    static boolean confirmed(String frame) {
        return frame.startsWith("{\"type\":\"confirm_subscription\"");
    }

    /** {@code [type, id]} of a presence event frame, or null. */
    static String[] presence(String frame) {
        if (!frame.startsWith("{\"type\":\"presence\"")) {
            return null;
        }
        int m = frame.indexOf("\"message\":{\"type\":\"");
        if (m < 0) {
            return null;
        }
        int ts = m + "\"message\":{\"type\":\"".length();
        int te = frame.indexOf('"', ts);
        int is = frame.indexOf("\"id\":\"", te);
        if (is < 0) {
            return new String[] {frame.substring(ts, te), null};
        }
        is += "\"id\":\"".length();
        return new String[] {frame.substring(ts, te), frame.substring(is, frame.indexOf('"', is))};
    }
}
