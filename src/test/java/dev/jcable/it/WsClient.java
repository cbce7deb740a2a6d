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
 * A real WebSocket client for the tests (the JDK's). Frames are collected in order; {@code {"type":"ping"}} frames
 * are kept apart so that assertions on the rest are exact.
 */
public final class WsClient implements AutoCloseable {

    public static final String EXT = "actioncable-v1-ext-json";
    public static final String PLAIN = "actioncable-v1-json";
    private static final long TIMEOUT_MS = 5000;

    private final LinkedBlockingQueue<String> frames = new LinkedBlockingQueue<>();
    private final LinkedBlockingQueue<String> pings = new LinkedBlockingQueue<>();
    private final CompletableFuture<String> closed = new CompletableFuture<>();
    private final WebSocket socket;
    private final String sid;
    private String welcome;
    private volatile boolean reading = true;

    private WsClient(URI uri, java.util.Map<String, String> headers, boolean expectWelcome, String... protocols) {
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

    /** The welcome frame exactly as received. */
    public String welcome() {
        return welcome;
    }

    public String sid() {
        return sid;
    }

    public String protocol() {
        return socket.getSubprotocol();
    }

    public WsClient send(String frame) {
        socket.sendText(frame, true).join();
        return this;
    }

    /** The next non-ping frame, or null when none comes within {@code millis}. */
    public String nextWithin(long millis) throws InterruptedException {
        return frames.poll(millis, TimeUnit.MILLISECONDS);
    }

    /** The next non-ping frame. */
    public String next() {
        try {
            String frame = frames.poll(TIMEOUT_MS, TimeUnit.MILLISECONDS);
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
            String ping = pings.poll(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            if (ping == null) {
                fail("no ping within " + TIMEOUT_MS + " ms");
            }
            return ping;
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Asserts that nothing but pings arrived so far: sends {@code {"command":"ping"}} and expects the server's
     * pong as the very next frame (frames are delivered in order, so anything queued before shows up first).
     */
    public void expectQuiet() {
        send("{\"command\":\"ping\"}");
        expect("{\"type\":\"pong\"}");
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
                String frame = frames.poll(Math.max(0, until - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
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

    /** Every frame received so far, without waiting. */
    public List<String> drain() {
        List<String> all = new ArrayList<>();
        frames.drainTo(all);
        return all;
    }

    /** Stops reading from the socket (the server's writes then back up, like a stalled client). */
    public void stall() {
        reading = false;
    }

    /** Reads again after {@link #stall()}. */
    public void resume() {
        reading = true;
        socket.request(1);
    }

    /** The close code and reason, once the server closed the connection. */
    public String awaitClose() {
        return awaitClose(TIMEOUT_MS);
    }

    public String awaitClose(long timeoutMillis) {
        try {
            return closed.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("not closed within " + timeoutMillis + " ms", e);
        }
    }

    public boolean isClosed() {
        return closed.isDone();
    }

    /** Drops the TCP connection without a close frame, like a lost network. */
    public void abort() {
        socket.abort();
    }

    @Override
    public void close() {
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
                (frame.startsWith("{\"type\":\"ping\"") ? pings : frames).add(frame);
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
