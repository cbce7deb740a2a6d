package dev.jcable.bench;

import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * {@link DrainBench}'s second load-generator process: the reconnects to node B. One process cannot hold node A's
 * 10,000 connections and B's 10,000 new ones under this machine's 20,000 open files per process, so the connections
 * to A stay in the bench and their reconnects are opened here, as a load balancer would send them to B.
 *
 * <p>Standard input: one connection number per line, to reconnect now; {@code dump} lists every attempt not yet
 * welcomed; {@code warm N} opens and closes N connections first. Standard output, one event per line, times in
 * {@link System#nanoTime()} (the same clock in every JVM
 * of this machine: CLOCK_MONOTONIC): {@code opened i attempt nanos startedNanos} (B
 * answered the handshake begun at startedNanos),
 * {@code welcome i attempt nanos}, {@code failed i attempt error} (the handshake failed, or B closed before its
 * welcome: tried again after a backoff, as the official client does), {@code gaveup i}, {@code pending i attempt
 * startedNanos openedNanos} (dump), {@code dumped}, {@code warmed}.
 */
final class DrainReconnector {

    private static final String STREAM = "drain";
    private static final String QUOTED = "\"{\\\"channel\\\":\\\"$pubsub\\\",\\\"stream_name\\\":\\\"" + STREAM
            + "\\\"}\"";
    private static final int TRIES = 10;

    private final HttpClient ws = Conn.client();
    private final URI onB;
    private final int members;
    private final PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false,
            StandardCharsets.UTF_8);
    /** Attempts not yet welcomed: connection → {attempt, started, opened (0: not yet)}. */
    private final Map<Integer, long[]> inFlight = new ConcurrentHashMap<>();

    private DrainReconnector(URI onB, int members) {
        this.onB = onB;
        this.members = members;
    }

    public static void main(String[] args) throws Exception {
        DrainReconnector r = new DrainReconnector(URI.create(args[0]), Integer.parseInt(args[1]));
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            if (line.startsWith("warm ")) {
                r.warm(Integer.parseInt(line.substring(5).trim()));
            } else if (line.equals("dump")) {
                r.inFlight.forEach((i, a) -> r.emit("pending " + i + " " + a[0] + " " + a[1] + " " + a[2]));
                r.emit("dumped");
            } else if (!line.isBlank()) {
                r.reconnect(Integer.parseInt(line.trim()), 0);
            }
        }
        System.exit(0);
    }

    /**
     * Opens {@code count} connections on B, a tenth of them joining presence in another stream, closes them and
     * says {@code warmed}: the receiving nodes of a cluster are warm, and so must this JVM's client be.
     */
    private void warm(int count) throws Exception {
        java.util.concurrent.CountDownLatch welcomed = new java.util.concurrent.CountDownLatch(count);
        java.util.List<Conn> warm = Conn.openAll(ws, onB, "actioncable-v1-ext-json", 0, count, 64,
                i -> (conn, frame) -> {
                    if (frame.startsWith("{\"type\":\"welcome\"")) {
                        welcomed.countDown();
                        if (i % 10 == 0) {
                            conn.send("{\"command\":\"subscribe\",\"identifier\":" + QUOTED.replace(STREAM, "warm")
                                    + ",\"presence\":{\"id\":\"w" + i + "\",\"info\":{}}}");
                        }
                    }
                });
        if (!welcomed.await(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException("warm-up: " + welcomed.getCount() + " never welcomed");
        }
        warm.forEach(Conn::close);
        for (Conn c : warm) {
            c.closed.get(60, TimeUnit.SECONDS);
        }
        emit("warmed");
    }

    private synchronized void emit(String line) {
        out.println(line);
        out.flush();
    }

    private void reconnect(int i, int attempt) {
        long[] state = {attempt, System.nanoTime(), 0};
        inFlight.put(i, state);
        CompletableFuture<Boolean> welcomed = new CompletableFuture<>();
        Conn.open(ws, onB, "actioncable-v1-ext-json", (conn, frame) -> {
            if (frame.startsWith("{\"type\":\"welcome\"")) {
                inFlight.remove(i, state);
                emit("welcome " + i + " " + attempt + " " + System.nanoTime());
                welcomed.complete(true);
                if (i < members) {
                    conn.send("{\"command\":\"subscribe\",\"identifier\":" + QUOTED + ",\"presence\":{\"id\":\"m" + i
                            + "\",\"info\":{}}}");
                }
            }
        }).whenComplete((conn, error) -> {
            if (error != null) {
                retry(i, attempt, state, "handshake: " + error);
                return;
            }
            state[2] = System.nanoTime();
            emit("opened " + i + " " + attempt + " " + state[2] + " " + state[1]);
            conn.closed.thenRun(() -> {
                if (!welcomed.isDone()) {
                    retry(i, attempt, state, "closed before welcome: " + conn.closeCode + " " + conn.closeReason);
                }
            });
        });
    }

    private void retry(int i, int attempt, long[] state, String why) {
        emit("failed " + i + " " + attempt + " " + why.replace('\n', ' '));
        if (attempt + 1 >= TRIES) {
            inFlight.remove(i, state);
            emit("gaveup " + i);
            return;
        }
        long cap = Math.min(4000, 500L << attempt); // 0.5 s doubling up to 4 s, with jitter
        long delay = cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2);
        CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS).execute(() -> reconnect(i, attempt + 1));
    }
}
