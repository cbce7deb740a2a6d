package dev.jcable.bench;

import dev.jcable.testsupport.RedisServer;
import dev.jcable.testsupport.Signing;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A rolling deploy's drain ({@code shutdown_drain_window}): two Payara Micro nodes on one Redis, {@code bench.n}
 * connections (default 10,000) on node A, which is then stopped (SIGTERM: undeploy). Every client told
 * {@code server_restart} reconnects at once to node B, as a load balancer would send it there; the reconnects B sees
 * are counted per 100 ms. The first {@code bench.members} clients hold presence ids in one stream, joined again on B
 * after the reconnect; an observer on B counts the presence events it sees from the drain until a presence TTL after
 * the last reconnect (the old sessions' records have expired by then). Run once with the window and once without
 * (everyone at once), in the same run.
 */
final class DrainBench {

    private static final String STREAM = "drain";
    private static final String IDENTIFIER = "{\"channel\":\"$pubsub\",\"stream_name\":\"" + STREAM + "\"}";
    private static final String QUOTED = "\"" + IDENTIFIER.replace("\"", "\\\"") + "\"";

    private DrainBench() {
    }

    record Result(String window, int connections, int told, int reconnected, int retried, double toldSpreadMs,
                  double reconnectSpreadMs, int peakPer100ms, int peakPerSecond, int joins, int leaves,
                  String membersAfter) {
    }

    static void run(StringBuilder out) throws Exception {
        int n = Bench.intProp("n", 10_000);
        int members = Bench.intProp("members", 100);
        String[] windows = Bench.prop("drainWindows", "10,0").split(",");
        int ttl = Bench.intProp("presenceTtl", 5);
        Path war = Wars.export(Wars.jcable(Bench.jcableWar()), "jcable-bench.war");
        List<Result> results = new ArrayList<>();
        try (RedisServer redis = RedisServer.startNew()) {
            int prefix = 0;
            for (String window : windows) {
                results.add(once(redis, war, "drain" + prefix++, n, members, window, ttl));
                System.err.println(results.get(results.size() - 1));
            }
        }
        out.append(String.format(Locale.ROOT, "Drain: %d connections on node A (Payara Micro, broker=redis), A stopped"
                + " (SIGTERM); each client told server_restart reconnects to node B at once. %d of them hold presence"
                + " ids in one stream (presence_ttl %d s), re-joined on B; an observer on B counts presence events"
                + " until a TTL after the last reconnect. Shared 2-core machine: compare the rows, not the"
                + " absolute times.%n%n", n, members, ttl));
        out.append("| shutdown_drain_window | told | reconnected on B | handshakes retried | told over (ms) |"
                + " reconnects over (ms) | peak reconnects / 100 ms | peak / s | joins seen | leaves seen |"
                + " members on B after |\n");
        out.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Result r : results) {
            out.append(String.format(Locale.ROOT, "| %s s | %d / %d | %d | %d | %.0f | %.0f | %d | %d | %d | %d | %s"
                    + " |%n",
                    r.window(), r.told(), r.connections(), r.reconnected(), r.retried(), r.toldSpreadMs(), r.reconnectSpreadMs(),
                    r.peakPer100ms(), r.peakPerSecond(), r.joins(), r.leaves(), r.membersAfter()));
        }
    }

    /**
     * Connects client {@code i} to node B, as the official client does after {@code server_restart}: a handshake that
     * fails (refused, or timed out while B is busy with the others) is tried again after a backoff (0.5 s doubling up
     * to 4 s, with jitter), at most 10 times.
     */
    private static void reconnect(HttpClient ws, URI onB, int i, int members, ConcurrentLinkedQueue<Long> reconnected,
                                  AtomicInteger retries, int attempt) {
        Conn.open(ws, onB, "actioncable-v1-ext-json", (again, f) -> {
            if (f.startsWith("{\"type\":\"welcome\"")) {
                reconnected.add(System.nanoTime());
                if (i < members) {
                    again.send(subscribeAndJoin(i));
                }
            }
        }).whenComplete((conn, error) -> {
            if (error != null && attempt < 10) {
                retries.incrementAndGet();
                long delay = Math.min(4000, 500L << attempt) / 2
                        + java.util.concurrent.ThreadLocalRandom.current().nextLong(Math.min(4000, 500L << attempt) / 2);
                CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS).execute(() ->
                        reconnect(ws, onB, i, members, reconnected, retries, attempt + 1));
            }
        });
    }

    private static Result once(RedisServer redis, Path war, String prefix, int n, int members, String window, int ttl)
            throws Exception {
        List<String> common = List.of("-Danycable.broker=redis", "-Danycable.redis_url=" + redis.url(),
                "-Danycable.redis_prefix=" + prefix, "-Danycable.public=true", "-Danycable.presence_ttl=" + ttl,
                "-Danycable.pong_timeout=0");
        String cpus = Bench.prop("serverCpus", "0");
        HttpClient ws = Conn.client();
        try (Server b = Bench.healthy(Server.jakarta(Server.Kind.PAYARA, cpus, war, Bench.jcableOptions(
                common.toArray(String[]::new))))) {
            List<String> optionsA = new ArrayList<>(common);
            optionsA.add("-Danycable.shutdown_drain_window=" + window);
            Server a = Bench.healthy(Server.jakarta(Server.Kind.PAYARA, cpus, war,
                    Bench.jcableOptions(optionsA.toArray(String[]::new))));
            URI onA = URI.create("ws" + a.base().toString().substring(4) + "cable");
            URI onB = URI.create("ws" + b.base().toString().substring(4) + "cable");
            AtomicInteger joins = new AtomicInteger();
            AtomicInteger leaves = new AtomicInteger();
            AtomicInteger joinedOnA = new AtomicInteger();
            Conn observer = Conn.open(ws, onB, "actioncable-v1-ext-json", (c, frame) -> {
                if (frame.contains("\"type\":\"join\"")) {
                    joins.incrementAndGet();
                } else if (frame.contains("\"type\":\"leave\"")) {
                    leaves.incrementAndGet();
                }
            }).get(30, TimeUnit.SECONDS);
            observer.send("{\"command\":\"subscribe\",\"identifier\":" + QUOTED + "}");
            ConcurrentLinkedQueue<Long> told = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<Long> reconnected = new ConcurrentLinkedQueue<>();
            AtomicInteger retries = new AtomicInteger();
            Conn.openAll(ws, onA, "actioncable-v1-ext-json", 0, n, 64, i -> (conn, frame) -> {
                if (frame.startsWith("{\"type\":\"welcome\"")) {
                    if (i < members) {
                        conn.send(subscribeAndJoin(i));
                    }
                } else if (frame.contains("\"type\":\"confirm_subscription\"")) {
                    joinedOnA.incrementAndGet();
                } else if (frame.contains("\"reason\":\"server_restart\"")) {
                    told.add(System.nanoTime());
                    reconnect(ws, onB, i, members, reconnected, retries, 0);
                }
            });
            Bench.await(() -> joinedOnA.get() == members && joins.get() >= members, 60, "members joined on A");
            joins.set(0);
            long start = System.nanoTime();
            CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> {
                try {
                    a.close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            stopping.get(120, TimeUnit.SECONDS); // A has told every connection it still had
            try {
                Bench.await(() -> reconnected.size() >= told.size(), 180, "every client told reconnected on B");
            } catch (IllegalStateException e) {
                throw new IllegalStateException(e.getMessage() + " (told " + told.size() + ", reconnected "
                        + reconnected.size() + " of " + n + ", handshakes retried " + retries.get() + ")", e);
            }
            // the old sessions' presence records expire a TTL after their close: wait past it, then count
            long quietUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(ttl + 3);
            Bench.await(() -> System.nanoTime() > quietUntil, ttl + 10, "a presence TTL after the drain");
            String count = HttpClient.newHttpClient().send(HttpRequest.newBuilder(b.base().resolve("api/presence/"
                    + STREAM + "/count")).header("Authorization", "Bearer " + Signing.apiKey(Bench.SECRET)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            long[] t = told.stream().mapToLong(x -> x - start).sorted().toArray();
            long[] r = reconnected.stream().mapToLong(x -> x - start).sorted().toArray();
            return new Result(window, n, t.length, r.length, retries.get(), spreadMs(t), spreadMs(r), peak(r, 100), peak(r, 1000),
                    joins.get(), leaves.get(), count);
        }
    }

    private static String subscribeAndJoin(int i) {
        return "{\"command\":\"subscribe\",\"identifier\":" + QUOTED + ",\"presence\":{\"id\":\"m" + i
                + "\",\"info\":{}}}";
    }

    private static double spreadMs(long[] sorted) {
        return sorted.length < 2 ? 0 : (sorted[sorted.length - 1] - sorted[0]) / 1e6;
    }

    /** The most events in any bucket of {@code millis}. */
    private static int peak(long[] sorted, long millis) {
        if (sorted.length == 0) {
            return 0;
        }
        long bucket = millis * 1_000_000L;
        int[] counts = new int[(int) (sorted[sorted.length - 1] / bucket) + 1];
        for (long x : sorted) {
            counts[(int) (Math.max(0, x) / bucket)]++;
        }
        return Arrays.stream(counts).max().orElse(0);
    }
}
