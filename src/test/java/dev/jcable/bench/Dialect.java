package dev.jcable.bench;

import dev.jcable.testsupport.Signing;
import java.net.URI;
import java.util.concurrent.CountDownLatch;

/**
 * The client protocol a load-generator connection ({@link Conn}, which knows none) speaks: the bare servers' raw
 * frames, AnyCable's extended Action Cable protocol at {@code /cable}, or Pusher's protocol 7 at {@code /app/{key}}.
 * The fan-out and churn benchmarks drive every dialect through these steps, so between two runs only the client side
 * differs (the publications take the same path, POST /_broadcast).
 */
public interface Dialect {

    String label();

    /** The WebSocket address on a loopback server listening on {@code port}. */
    URI uri(int port);

    /** The WebSocket subprotocol asked for, or null. */
    String subprotocol();

    /** The stream (Pusher: public channel) the fan-out publishes to. */
    String fanoutStream();

    /** The stream (Pusher: presence channel) the churn runs in. */
    String presenceStream();

    /** How the payload's numeric field {@code name} ("t", "s") appears in a delivered frame. */
    String field(String name);

    /** Fan-out: takes a handshake frame, subscribes to {@code stream} when the server lets it; true once subscribed. */
    boolean subscribed(Conn conn, String frame, String stream);

    /** Churn: takes a handshake frame; true once the connection may join the presence (see {@link #join}). */
    boolean arrived(Conn conn, String frame);

    /** The frame that makes an arrived connection a member {@code id} of {@link #presenceStream}. */
    String join(Conn conn, String id);

    /** The frame that makes it leave again (explicitly: no presence TTL). */
    String leave(Conn conn);

    /** Whether {@code frame} confirms this connection's own join as {@code id}. */
    boolean joined(String frame, String id);

    /** {@code [join|leave, id]} of a presence event frame, or null. */
    String[] presence(String frame);

    /** One presence member's handshake, fed every frame it receives: {@code ready} counted down once it is in. */
    default void member(Conn conn, String frame, String id, CountDownLatch ready) {
        if (arrived(conn, frame)) {
            conn.send(join(conn, id));
        } else if (joined(frame, id)) {
            ready.countDown();
        }
    }

    /** The bare @ServerEndpoint and the Node ws server: every connection receives every broadcast. */
    Dialect RAW = new Dialect() {
        @Override
        public String label() {
            return "raw";
        }

        @Override
        public URI uri(int port) {
            return URI.create("ws://127.0.0.1:" + port + "/ws");
        }

        @Override
        public String subprotocol() {
            return null;
        }

        @Override
        public String fanoutStream() {
            return "bench/fanout";
        }

        @Override
        public String presenceStream() {
            throw new UnsupportedOperationException("no presence");
        }

        @Override
        public String field(String name) {
            return "\"" + name + "\":";
        }

        @Override
        public boolean subscribed(Conn conn, String frame, String stream) {
            return frame.startsWith("{\"hello\"");
        }

        @Override
        public boolean arrived(Conn conn, String frame) {
            throw new UnsupportedOperationException("no presence");
        }

        @Override
        public String join(Conn conn, String id) {
            throw new UnsupportedOperationException("no presence");
        }

        @Override
        public String leave(Conn conn) {
            throw new UnsupportedOperationException("no presence");
        }

        @Override
        public boolean joined(String frame, String id) {
            return false;
        }

        @Override
        public String[] presence(String frame) {
            return null;
        }
    };

    /** AnyCable's extended protocol: signed {@code $pubsub} streams, presence by {@code join}/{@code leave}. */
    static Dialect anycable(String secret) {
        return new Dialect() {
            @Override
            public String label() {
                return "AnyCable /cable";
            }

            @Override
            public URI uri(int port) {
                return URI.create("ws://127.0.0.1:" + port + "/cable");
            }

            @Override
            public String subprotocol() {
                return "actioncable-v1-ext-json";
            }

            @Override
            public String fanoutStream() {
                return "bench/fanout";
            }

            @Override
            public String presenceStream() {
                return "bench/churn";
            }

            @Override
            public String field(String name) {
                return "\"" + name + "\":";
            }

            @Override
            public boolean subscribed(Conn conn, String frame, String stream) {
                if (Cable.welcome(frame)) {
                    conn.send(Cable.subscribe(Cable.identifier(secret, stream)));
                }
                return Cable.confirmed(frame);
            }

            @Override
            public boolean arrived(Conn conn, String frame) {
                return subscribed(conn, frame, presenceStream());
            }

            @Override
            public String join(Conn conn, String id) {
                return Cable.join(Cable.identifier(secret, presenceStream()), id);
            }

            @Override
            public String leave(Conn conn) {
                return Cable.leave(Cable.identifier(secret, presenceStream()));
            }

            @Override
            public boolean joined(String frame, String id) {
                return frame.contains("\"type\":\"join\",\"id\":\"" + id + "\"");
            }

            @Override
            public String[] presence(String frame) {
                return Cable.presence(frame);
            }
        };
    }

    /**
     * Pusher's protocol 7 (docs/pusher.md): a public channel for the fan-out, where a publication of
     * /_broadcast arrives as event {@code message} with the payload as a JSON string; a presence channel whose
     * subscription (signed with the connection's {@code socket_id}, kept in {@link Conn#tag}) is the join.
     */
    static Dialect pusher(String key, String secret) {
        return new Dialect() {
            @Override
            public String label() {
                return "Pusher /app/{key}";
            }

            @Override
            public URI uri(int port) {
                return URI.create("ws://127.0.0.1:" + port + "/app/" + key + "?protocol=7");
            }

            @Override
            public String subprotocol() {
                return null;
            }

            @Override
            public String fanoutStream() {
                return "bench-fanout";
            }

            @Override
            public String presenceStream() {
                return "presence-bench-churn";
            }

            @Override
            public String field(String name) {
                return "\\\"" + name + "\\\":";
            }

            @Override
            public boolean subscribed(Conn conn, String frame, String stream) {
                if (arrived(conn, frame)) {
                    conn.send("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"" + stream + "\"}}");
                }
                return frame.startsWith("{\"event\":\"pusher_internal:subscription_succeeded\"");
            }

            @Override
            public boolean arrived(Conn conn, String frame) {
                if (!frame.startsWith("{\"event\":\"pusher:connection_established\"")) {
                    return false;
                }
                conn.tag = between(frame, "\\\"socket_id\\\":\\\"", "\\\"");
                return true;
            }

            @Override
            public String join(Conn conn, String id) {
                String channel = presenceStream();
                String data = "{\"user_id\":\"" + id + "\",\"user_info\":{\"name\":\"" + id + "\"}}";
                String auth = key + ":" + Signing.hmacHex(secret, conn.tag + ":" + channel + ":" + data);
                return "{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"" + channel + "\",\"auth\":\"" + auth
                        + "\",\"channel_data\":" + Payload.quoted(data) + "}}";
            }

            @Override
            public String leave(Conn conn) {
                return "{\"event\":\"pusher:unsubscribe\",\"data\":{\"channel\":\"" + presenceStream() + "\"}}";
            }

            @Override
            public boolean joined(String frame, String id) {
                return frame.startsWith("{\"event\":\"pusher_internal:subscription_succeeded\"");
            }

            @Override
            public String[] presence(String frame) {
                String type = frame.startsWith("{\"event\":\"pusher_internal:member_added\"") ? "join"
                        : frame.startsWith("{\"event\":\"pusher_internal:member_removed\"") ? "leave" : null;
                return type == null ? null : new String[] {type, between(frame, "\\\"user_id\\\":\\\"", "\\\"")};
            }
        };
    }

    /** The text of {@code frame} between {@code before} and the next {@code after}, or null. */
    private static String between(String frame, String before, String after) {
        int from = frame.indexOf(before);
        if (from < 0) {
            return null;
        }
        from += before.length();
        int to = frame.indexOf(after, from);
        return to < 0 ? null : frame.substring(from, to);
    }
}
