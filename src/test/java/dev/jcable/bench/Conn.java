package dev.jcable.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.IntFunction;

/**
 * One load-generator connection (the JDK's WebSocket client). Every complete text frame goes to the handler on the
 * client's executor; nothing here blocks.
 */
public final class Conn implements WebSocket.Listener {

    /** One client (one selector thread) and two worker threads for all connections of a load generator. */
    public static HttpClient client() {
        ExecutorService pool = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "loadgen-ws");
            t.setDaemon(true);
            return t;
        });
        return HttpClient.newBuilder().executor(pool).connectTimeout(Duration.ofSeconds(10)).build();
    }

    private final BiConsumer<Conn, String> handler;
    private final StringBuilder partial = new StringBuilder();
    public final CompletableFuture<Void> closed = new CompletableFuture<>();
    /** How the connection ended: the peer's close code and reason, or -1 and the error (benchmarks that log it). */
    public volatile int closeCode;
    public volatile String closeReason;
    private volatile WebSocket socket;
    /** Free for the dialect's or the scenario's use (Pusher's socket_id, a member id). */
    public volatile Object tag;

    private Conn(BiConsumer<Conn, String> handler) {
        this.handler = handler;
    }

    public static CompletableFuture<Conn> open(HttpClient client, URI uri, String protocol,
                                               BiConsumer<Conn, String> handler) {
        Conn conn = new Conn(handler);
        WebSocket.Builder b = client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(20));
        if (protocol != null) {
            b.subprotocols(protocol);
        }
        return b.buildAsync(uri, conn).thenApply(ws -> conn);
    }

    /** A connection never opened: it keeps a tag and sends nothing (tests of the frames a {@link Dialect} writes). */
    public static Conn unopened() {
        return new Conn((conn, frame) -> {
        });
    }

    /**
     * Opens connections {@code from} to {@code from + count - 1}, at most {@code parallel} handshakes at a time, and
     * waits for all of them (60 s each); {@code handler} gives connection {@code i} its frame handler.
     */
    public static List<Conn> openAll(HttpClient client, URI uri, String protocol, int from, int count, int parallel,
                                     IntFunction<BiConsumer<Conn, String>> handler) throws Exception {
        Semaphore connecting = new Semaphore(parallel);
        List<CompletableFuture<Conn>> opening = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            connecting.acquire();
            CompletableFuture<Conn> c = open(client, uri, protocol, handler.apply(i));
            c.whenComplete((x, e) -> connecting.release());
            opening.add(c);
        }
        List<Conn> conns = new ArrayList<>();
        for (CompletableFuture<Conn> c : opening) {
            conns.add(c.get(60, TimeUnit.SECONDS));
        }
        return conns;
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        socket = webSocket;
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        if (last && partial.length() == 0) {
            handler.accept(this, data.toString());
        } else {
            partial.append(data);
            if (last) {
                String frame = partial.toString();
                partial.setLength(0);
                handler.accept(this, frame);
            }
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closeCode = statusCode;
        closeReason = reason;
        closed.complete(null);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closeCode = -1;
        closeReason = String.valueOf(error);
        closed.complete(null);
    }

    private CompletableFuture<?> lastSend = CompletableFuture.completedFuture(null);

    /** Queues a frame after the previous one (the JDK client refuses overlapping sends). */
    public synchronized CompletableFuture<?> send(String frame) {
        WebSocket ws = socket;
        lastSend = lastSend.handle((r, e) -> null).thenCompose(x -> ws.sendText(frame, true));
        return lastSend;
    }

    public void close() {
        WebSocket ws = socket;
        if (ws != null && !ws.isOutputClosed()) {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(e -> null);
        }
    }

    /** Drops the TCP connection without a close frame (a lost network). */
    public void abort() {
        WebSocket ws = socket;
        if (ws != null) {
            ws.abort();
        }
    }
}
