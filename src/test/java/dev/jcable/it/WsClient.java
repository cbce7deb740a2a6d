package dev.jcable.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The tests' WebSocket client, on one of two transports with the same assertions (frames collected in order,
 * {@code {"type":"ping"}} frames kept apart so that assertions on the rest are exact, {@link #expectQuiet} for
 * negative checks):
 * <ul>
 * <li>{@link #connect}: a real client library (the JDK's), reading in the background and answering WebSocket pings,
 *     as a browser does;</li>
 * <li>{@link #raw}: a bare socket with the upgrade done by hand ({@link RawSocket}), for what a library will not do:
 *     it reads only when a test asks (so it stalls the server at the TCP level), never answers a ping, sends any
 *     frame ({@link #sendFrame}), reads frames as they come ({@link #readFrame}), and shows a refused handshake's
 *     status, headers and body.</li>
 * </ul>
 * The load generator's connections (thousands, callback-driven) are {@code dev.jcable.bench.Conn}.
 */
public final class WsClient implements AutoCloseable {

    public static final String EXT = "actioncable-v1-ext-json";
    public static final String PLAIN = "actioncable-v1-json";
    /** WebSocket opcodes, for {@link #sendFrame} and {@link #readFrame}. */
    public static final int TEXT = 0x1;
    public static final int BINARY = 0x2;
    public static final int CLOSE = 0x8;
    public static final int PING = 0x9;
    public static final int PONG = 0xA;
    private static final long TIMEOUT_MS = 5000;

    /** One frame as a raw client received it: opcode and payload. */
    public record Frame(int opcode, byte[] payload) {
        public String text() {
            return new String(payload, java.nio.charset.StandardCharsets.UTF_8);
        }

        /** The close code of a close frame, or -1 without one. */
        public int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : -1;
        }
    }

    private final LinkedBlockingQueue<String> frames = new LinkedBlockingQueue<>();
    private final LinkedBlockingQueue<String> pings = new LinkedBlockingQueue<>();
    private final CompletableFuture<String> closed = new CompletableFuture<>();
    /** The transport: exactly one of the two is set. */
    private final WebSocket socket;
    private final RawSocket raw;
    private final String sid;
    private String welcome;
    private volatile boolean reading = true;

    private WsClient(RawSocket raw) {
        this.raw = raw;
        this.socket = null;
        this.sid = null;
    }

    private WsClient(URI uri, java.util.Map<String, String> headers, boolean expectWelcome, String... protocols) {
        raw = null;
        WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder()
                .connectTimeout(Duration.ofSeconds(5));
        headers.forEach(builder::header);
        if (protocols.length > 0) {
            builder.subprotocols(protocols[0], java.util.Arrays.copyOfRange(protocols, 1, protocols.length));
        }
        socket = builder.buildAsync(uri, new Listener()).join();
        if (!expectWelcome) {
            sid = null;
            return;
        }
        String welcome = next();
        if (!welcome.startsWith("{\"type\":\"welcome\",\"sid\":\"")) {
            fail("expected a welcome, got " + welcome);
        }
        this.welcome = welcome;
        int end = welcome.indexOf('"', "{\"type\":\"welcome\",\"sid\":\"".length());
        sid = welcome.substring("{\"type\":\"welcome\",\"sid\":\"".length(), end);
    }

    public static WsClient connect(URI cable, String... protocols) {
        return new WsClient(cable, java.util.Map.of(), true, protocols.length == 0 ? new String[] {EXT} : protocols);
    }

    /** Connects with extra handshake headers; expects a welcome. */
    public static WsClient connect(URI cable, java.util.Map<String, String> headers, String... protocols) {
        return new WsClient(cable, headers, true, protocols.length == 0 ? new String[] {EXT} : protocols);
    }

    /** Connects without expecting a welcome (the server is about to refuse the connection). */
    public static WsClient attempt(URI cable, java.util.Map<String, String> headers, String... protocols) {
        return new WsClient(cable, headers, false, protocols.length == 0 ? new String[] {EXT} : protocols);
    }

    /**
     * A client on a bare socket ({@link RawSocket}): sends the upgrade request for {@code /cable} and returns whatever
     * the server answered ({@link #status()}, {@link #headers()}, {@link #body()}); reads nothing more until asked (the
     * welcome is then the first frame {@link #next()} returns).
     *
     * @param protocol      the subprotocol asked for, or null
     * @param receiveBuffer the socket's receive buffer in bytes (small, so that not reading stalls the server soon),
     *                      or 0 for the system's
     */
    public static WsClient raw(URI http, String protocol, java.util.Map<String, String> headers, int receiveBuffer) {
        return new WsClient(RawSocket.handshake(http, protocol, headers, receiveBuffer));
    }

    /** A raw client's handshake answer: its HTTP status (101 when upgraded). */
    public int status() {
        return raw().status;
    }

    /** A raw client's handshake answer: its headers, names in lower case. */
    public java.util.Map<String, String> headers() {
        return raw().headers;
    }

    /** A raw client's handshake answer: the body of a refusal ("" after a 101). */
    public String body() {
        return raw().body;
    }

    /** Writes one frame as given (any opcode, fragments, bad payloads), masked as a client must; raw clients only. */
    public void sendFrame(int opcode, byte[] payload, boolean fin) {
        raw().send(opcode, payload, fin);
    }

    /**
     * The next frame as it comes off the socket (pings, close frames, anything), waiting at most {@code timeoutMillis};
     * null once the server closed the TCP connection; raw clients only. Frames taken here bypass {@link #next()}.
     */
    public Frame readFrame(long timeoutMillis) {
        try {
            return raw().read(timeoutMillis);
        } catch (RawSocket.TimedOut e) {
            throw new AssertionError("no frame within " + timeoutMillis + " ms");
        }
    }

    private RawSocket raw() {
        if (raw == null) {
            throw new IllegalStateException("only a raw client (WsClient.raw) works at the frame level");
        }
        return raw;
    }

    /**
     * Reads from a raw socket until {@code queue} has a frame or {@code untilNanos} passed; with the JDK client the
     * listener fills the queues, so this just waits.
     */
    private String poll(LinkedBlockingQueue<String> queue, long untilNanos) throws InterruptedException {
        if (raw == null) {
            return queue.poll(Math.max(0, untilNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        while (true) {
            String ready = queue.poll();
            if (ready != null || System.nanoTime() >= untilNanos || closed.isDone() || !pump(untilNanos)) {
                return ready;
            }
        }
    }

    /** Reads one frame off the raw socket into the queues (or {@link #closed}); false when none began in time. */
    private boolean pump(long untilNanos) {
        Frame frame;
        try {
            frame = raw.read(Math.max(1, TimeUnit.NANOSECONDS.toMillis(untilNanos - System.nanoTime())));
        } catch (RawSocket.TimedOut e) {
            return false;
        }
        if (frame == null) {
            closed.complete("1006 connection dropped");
        } else if (frame.opcode() == CLOSE) {
            String reason = frame.payload().length > 2 ? new String(frame.payload(), 2, frame.payload().length - 2,
                    java.nio.charset.StandardCharsets.UTF_8) : "";
            closed.complete(frame.closeCode() + " " + reason);
        } else if (frame.opcode() == TEXT) {
            received(frame.text()); // a WebSocket ping is never answered: that is what a raw client is for
        }
        return true;
    }

    private void received(String frame) {
        (frame.startsWith("{\"type\":\"ping\"") ? pings : frames).add(frame);
    }

    /** The welcome frame exactly as received. */
    public String welcome() {
        return welcome;
    }

    public String sid() {
        return sid;
    }

    public String protocol() {
        return raw != null ? raw.headers.getOrDefault("sec-websocket-protocol", "") : socket.getSubprotocol();
    }

    public WsClient send(String frame) {
        if (raw != null) {
            raw.send(TEXT, frame.getBytes(java.nio.charset.StandardCharsets.UTF_8), true);
        } else {
            socket.sendText(frame, true).join();
        }
        return this;
    }

    /**
     * The next frame that is neither a ping nor a barrier's marker ({@link #expectQuiet(Cable, String, WsClient...)}),
     * or null when none comes within {@code millis}.
     */
    public String nextWithin(long millis) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (true) {
            String frame = poll(frames, until);
            if (frame == null || !isMarker(frame)) {
                return frame;
            }
            markersSeen.add(frame);
        }
    }

    /** The next frame that is neither a ping nor a barrier's marker. */
    public String next() {
        try {
            String frame = nextWithin(TIMEOUT_MS);
            if (frame == null) {
                fail("no frame within " + TIMEOUT_MS + " ms" + (closed.isDone() ? " (closed: " + closed.join() + ")" : ""));
            }
            return frame;
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    public void expect(String frame) {
        assertEquals(frame, next());
    }

    /**
     * Expects the next frame to be the durable delivery of {@code message} at {@code offset} of {@code stream}
     * (whatever this server's epoch is); returns the epoch.
     */
    public String expectDurable(String identifier, String message, String stream, long offset) {
        String frame = next();
        String epoch = Cable.epochOf(frame);
        assertEquals(Cable.durableFrame(identifier, message, stream, epoch, offset), frame);
        return epoch;
    }

    /** The next ping frame. */
    public String nextPing() {
        try {
            String ping = poll(pings, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS));
            if (ping == null) {
                fail("no ping within " + TIMEOUT_MS + " ms");
            }
            return ping;
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Asserts that no reply of this connection's own is pending: sends {@code {"command":"ping"}} and expects the
     * server's pong as the very next frame. The pong runs on the connection's own lane, after the commands sent
     * before it, and goes out through its outbox after whatever is already queued there; so this proves only that
     * (a) the connection's earlier commands were handled and answered nothing, and (b) nothing was already in its
     * outbox (e.g. a goodbye written by the same synchronous pass that closed a neighbour).
     *
     * <p>It proves nothing about fan-outs, presence events, whispers or cross-node events: those run later on the
     * delivery pool and the Redis lanes, other threads, and would pass this check arriving 1 ms after the pong. For
     * a check that such a frame did not come, use {@link #expectQuiet(Cable, String, WsClient...)}.
     */
    public void expectNoReply() {
        send("{\"command\":\"ping\"}");
        expect("{\"type\":\"pong\"}");
    }

    /** What a barrier's marker carries as its message; nothing else the server sends starts so. */
    private static final String MARKER_MESSAGE = "\"message\":{\"jcable_quiet\":\"";

    /** The markers this client received (whole frames): one arriving twice means a duplicated subscription. */
    private final java.util.Set<String> markersSeen = new java.util.HashSet<>();

    private static boolean isMarker(String frame) {
        return frame.startsWith("{\"identifier\":") && frame.contains(MARKER_MESSAGE);
    }

    /**
     * The barrier of a negative check ("nothing more arrives"): proves that every queue that could still deliver a
     * frame of {@code stream} to these subscribers has drained, and that nothing but pings (and other barriers'
     * markers) arrived meanwhile. Call it once the action under test has completed (its HTTP call returned, or its
     * command's reply or a later reply of the same connection arrived).
     *
     * <p>How: it publishes a unique marker to {@code stream} through {@code node}'s {@code /_broadcast} and expects it
     * as each subscriber's very next frame. The marker takes the path of every fan-out of the stream: with the Redis
     * broker one PUBLISH on the stream's channel (Redis keeps publish order, and each node hands a stream's
     * messages and presence events to one lane in arrival order), then the stream's queue on the delivery pool, where
     * its fan-outs, presence events and whispers run in submission order, then each connection's outbox, in order.
     * So whatever was submitted for the stream before the marker, on any node, reached the subscribers before it.
     * It cannot prove anything about what is not yet submitted (a leave a future TTL expiry will emit): for those,
     * wait for a later event that would come after the unwanted one (PresenceIT's control member).
     *
     * <p>Side effects: the marker is a real, durable broadcast: it takes the stream's next history offset (an offset
     * asserted afterwards counts it) and is replayed by history. {@link #next()}, {@link #until} and {@link #drain()}
     * skip markers, so exact frame assertions are not disturbed; a marker arriving twice at one client fails the
     * next barrier (so each subscriber must be subscribed to {@code stream} once). Each must be subscribed;
     * for a client that is not (it must not get the stream's frames), pass a subscribed witness here and then call
     * {@link #expectNoReply()} on the client: the fan-outs before the marker wrote to its outbox before the pong.
     */
    public static void expectQuiet(Cable node, String stream, WsClient... subscribers) {
        String marker = "q-" + java.util.UUID.randomUUID();
        String data = "{\"jcable_quiet\":\"" + marker + "\"}";
        var response = node.broadcast("{\"stream\":" + Cable.quoted(stream) + ",\"data\":" + Cable.quoted(data) + "}");
        assertEquals(201, response.statusCode(), "the barrier's marker was not published: " + response.body());
        for (WsClient subscriber : subscribers) {
            subscriber.expectMarker(marker);
        }
    }

    /** Expects the marker as the next frame but pings and other barriers' markers. */
    private void expectMarker(String marker) {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
        try {
            while (true) {
                String frame = poll(frames, until);
                if (frame == null) {
                    fail("the barrier's marker " + marker + " did not arrive within " + TIMEOUT_MS + " ms"
                            + (closed.isDone() ? " (closed: " + closed.join() + ")" : ""));
                }
                if (!isMarker(frame)) {
                    fail("expected nothing more (the barrier's marker next), got " + frame);
                }
                if (!markersSeen.add(frame)) {
                    fail("a barrier's marker arrived twice (a duplicated subscription?): " + frame);
                }
                if (frame.contains(MARKER_MESSAGE + marker + "\"")) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** Frames until (and including) the first that matches. */
    public List<String> until(Predicate<String> match) {
        List<String> seen = new ArrayList<>();
        while (true) {
            String frame = next();
            seen.add(frame);
            if (match.test(frame)) {
                return seen;
            }
        }
    }

    /** Frames until (and including) the first that matches, waiting at most {@code timeoutMillis} in all. */
    public List<String> until(Predicate<String> match, long timeoutMillis) {
        List<String> seen = new ArrayList<>();
        long until = System.currentTimeMillis() + timeoutMillis;
        try {
            while (true) {
                String frame = nextWithin(Math.max(0, until - System.currentTimeMillis()));
                if (frame == null) {
                    fail("no matching frame within " + timeoutMillis + " ms; saw " + seen);
                }
                seen.add(frame);
                if (match.test(frame)) {
                    return seen;
                }
            }
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** Every frame received so far, without waiting (a raw client: read so far). */
    public List<String> drain() {
        List<String> all = new ArrayList<>();
        frames.drainTo(all);
        all.removeIf(WsClient::isMarker);
        return all;
    }

    /**
     * Stops reading from the socket (the server's writes then back up, like a stalled client). A raw client reads
     * only when asked anyway.
     */
    public void stall() {
        reading = false;
    }

    /** Reads again after {@link #stall()}. */
    public void resume() {
        reading = true;
        if (socket != null) {
            socket.request(1);
        }
    }

    /** The close code and reason, once the server closed the connection. */
    public String awaitClose() {
        return awaitClose(TIMEOUT_MS);
    }

    public String awaitClose(long timeoutMillis) {
        try {
            if (raw != null) { // read (and keep) what comes before the close
                long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
                while (!closed.isDone() && System.nanoTime() < until && pump(until)) {
                    // keeps what it reads for next() and drain()
                }
            }
            return closed.get(raw != null ? 0 : timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("not closed within " + timeoutMillis + " ms", e);
        }
    }

    public boolean isClosed() {
        return closed.isDone();
    }

    /** Drops the TCP connection without a close frame, like a lost network. */
    public void abort() {
        if (raw != null) {
            raw.close();
        } else {
            socket.abort();
        }
    }

    @Override
    public void close() {
        if (raw != null) {
            raw.close();
            return;
        }
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(e -> null);
        }
        socket.abort();
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String frame = partial.toString();
                partial.setLength(0);
                received(frame);
            }
            if (reading) {
                webSocket.request(1);
            }
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode + " " + reason);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete("error " + error);
        }
    }
}
