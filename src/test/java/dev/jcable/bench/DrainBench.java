package dev.jcable.bench;

import dev.jcable.testsupport.RedisServer;
import dev.jcable.testsupport.Signing;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
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

    record Result(String window, int connections, int told, int untold, int reconnected, int failedHandshakes,
                  int gaveUp, int pending, double toldSpreadMs, double reconnectSpreadMs, int peakPer100ms,
                  int peakPerSecond, int joins, int leaves, String membersAfter, double stopMs, boolean killed) {
    }

    static void run(StringBuilder out) throws Exception {
        int n = Bench.intProp("n", 10_000);
        int members = Bench.intProp("members", 100);
        String[] windows = Bench.prop("drainWindows", "10,0").split(",");
        int ttl = Bench.intProp("presenceTtl", 15); // the product's default: the promise is for a reconnect within it
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
                + " (SIGTERM); each client told server_restart reconnects to node B at once, from a second"
                + " load-generator process. %d of them hold presence ids in one stream (presence_ttl %d s), re-joined"
                + " on B; an observer on B counts presence events until a TTL after the last reconnect. Per"
                + " connection: target/bench/drain-<window>s-connections.csv; every connection A closed without"
                + " telling it: drain-<window>s-untold.txt. Shared 2-core machine: compare the rows, not the absolute"
                + " times.%n%n", n, members, ttl));
        out.append("| shutdown_drain_window | told | closed untold | reconnected on B | handshakes failed (retried) |"
                + " gave up / still pending | told over (ms) | reconnects over (ms) | peak reconnects / 100 ms |"
                + " peak / s | joins seen | leaves seen | members on B after | A's stop (s) |\n");
        out.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Result r : results) {
            out.append(String.format(Locale.ROOT, "| %s s | %d / %d | %d | %d | %d | %d / %d | %.0f | %.0f | %d | %d |"
                    + " %d | %d | %s | %.1f%s |%n", r.window(), r.told(), r.connections(), r.untold(), r.reconnected(),
                    r.failedHandshakes(), r.gaveUp(), r.pending(), r.toldSpreadMs(), r.reconnectSpreadMs(),
                    r.peakPer100ms(), r.peakPerSecond(), r.joins(), r.leaves(), r.membersAfter(), r.stopMs() / 1000,
                    r.killed() ? " (killed)" : ""));
        }
    }

    /**
     * What the bench knows of connection i (told and closed by A; the reconnect started, answered and welcomed by
     * B): times in nanoseconds of {@link System#nanoTime()}, 0 for never.
     */
    private static final class Track {
        final long[] told;
        final long[] closed;
        final long[] started; // the (last) handshake to B began
        final long[] opened; // B answered it
        final long[] reconnected; // B's welcome
        final int[] attempts;
        final String[] lastFailure;
        final AtomicInteger failed = new AtomicInteger();
        final AtomicInteger gaveUp = new AtomicInteger();
        final AtomicInteger closedCount = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger(); // reconnected or given up
        final List<String> pending = new java.util.concurrent.CopyOnWriteArrayList<>();
        final CompletableFuture<Void> dumped = new CompletableFuture<>();
        final CompletableFuture<Void> warmed = new CompletableFuture<>();

        Track(int n) {
            told = new long[n];
            closed = new long[n];
            started = new long[n];
            opened = new long[n];
            reconnected = new long[n];
            attempts = new int[n];
            lastFailure = new String[n];
        }

        /** One line of {@link DrainReconnector}'s output. */
        synchronized void event(String line) {
            String[] f = line.split(" ", 4);
            switch (f[0]) {
                case "welcome" -> {
                    int i = Integer.parseInt(f[1]);
                    reconnected[i] = Long.parseLong(f[3]);
                    attempts[i] = Integer.parseInt(f[2]) + 1;
                    done.incrementAndGet();
                }
                case "failed" -> {
                    failed.incrementAndGet();
                    lastFailure[Integer.parseInt(f[1])] = f.length > 3 ? f[3] : "";
                }
                case "gaveup" -> {
                    gaveUp.incrementAndGet();
                    done.incrementAndGet();
                }
                case "pending" -> pending.add(line);
                case "opened" -> {
                    String[] g = line.split(" ");
                    opened[Integer.parseInt(g[1])] = Long.parseLong(g[3]);
                    started[Integer.parseInt(g[1])] = Long.parseLong(g[4]);
                }
                case "dumped" -> dumped.complete(null);
                case "warmed" -> warmed.complete(null);
                default -> { }
            }
        }
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
            Track track = new Track(n);
            Process reconnector = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    // with 1 GB it spent 10 s of 15 in full GCs during the reconnects (jstat)
                    "-Xms1g", "-Xmx3g", "-XX:+UseParallelGC", "-cp", System.getProperty("java.class.path"),
                    DrainReconnector.class.getName(), onB.toString(), String.valueOf(members))
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            java.io.PrintStream toB = new java.io.PrintStream(reconnector.getOutputStream(), true,
                    java.nio.charset.StandardCharsets.UTF_8);
            Thread reader = new Thread(() -> new java.io.BufferedReader(new java.io.InputStreamReader(
                    reconnector.getInputStream(), java.nio.charset.StandardCharsets.UTF_8)).lines()
                    .forEach(track::event), "reconnector-out");
            reader.setDaemon(true);
            reader.start();
            // in a cluster the receiving nodes are warm, serving their own clients; B had served only the observer,
            // and cold (as was the reconnector's JVM) it answered the reconnects at a fraction of its rate
            toB.println("warm " + Bench.intProp("drainWarmup", 2000));
            track.warmed.get(180, TimeUnit.SECONDS);
            try (a) { // stopped in the middle; closed here also when the run fails before
                List<Conn> conns = Conn.openAll(ws, onA, "actioncable-v1-ext-json", 0, n, 64, i -> (conn, frame) -> {
                    if (frame.startsWith("{\"type\":\"welcome\"")) {
                        if (i < members) {
                            conn.send(subscribeAndJoin(i));
                        }
                    } else if (frame.contains("\"type\":\"confirm_subscription\"")) {
                        joinedOnA.incrementAndGet();
                    } else if (frame.contains("\"reason\":\"server_restart\"")) {
                        track.told[i] = System.nanoTime();
                        synchronized (toB) {
                            toB.println(i);
                        }
                    }
                });
                Bench.await(() -> joinedOnA.get() == members && joins.get() >= members, 60, "members joined on A");
                for (int i = 0; i < n; i++) {
                    int k = i;
                    conns.get(i).closed.thenRun(() -> {
                        track.closed[k] = System.nanoTime();
                        track.closedCount.incrementAndGet();
                        if (track.told[k] == 0) { // a client reconnects after any close; the log says why
                            synchronized (toB) {
                                toB.println(k);
                            }
                        }
                    });
                }
                joins.set(0);
                long start = System.nanoTime();
                // Payara's own stop takes 15 s and more on this loaded machine, after the drain: a kill 30 s after
                // SIGTERM (Server.close) cut the 10-s drain short and closed the rest untold
                boolean killed = a.stop(Integer.parseInt(window) + 90);
                long stopped = System.nanoTime();
                Files.writeString(Path.of("target/bench/drain-" + window + "s-A.log"), a.log());
                try {
                    Bench.await(() -> track.closedCount.get() == n && track.done.get() == n, 120,
                            "every client of A closed, and reconnected on B or given up");
                } catch (IllegalStateException e) {
                    System.err.println(e.getMessage() + " (closed " + track.closedCount.get() + ", done "
                            + track.done.get() + " of " + n + ")");
                }
                synchronized (toB) {
                    toB.println("dump");
                }
                track.dumped.get(30, TimeUnit.SECONDS);
                int untold = report(track, conns, n, window, start, stopped, killed);
                // the old sessions' presence records expire a TTL after their close: wait past it, then count
                long quietUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(ttl + 3);
                Bench.await(() -> System.nanoTime() > quietUntil, ttl + 10, "a presence TTL after the drain");
                String count = HttpClient.newHttpClient().send(HttpRequest.newBuilder(b.base().resolve("api/presence/"
                        + STREAM + "/count")).header("Authorization", "Bearer " + Signing.apiKey(Bench.SECRET)).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                Files.writeString(Path.of("target/bench/drain-" + window + "s-B.log"), b.log());
                long[] t = Arrays.stream(track.told).filter(x -> x != 0).map(x -> x - start).sorted().toArray();
                long[] r = Arrays.stream(track.reconnected).filter(x -> x != 0).map(x -> x - start).sorted().toArray();
                return new Result(window, n, t.length, untold, r.length, track.failed.get(), track.gaveUp.get(),
                        track.pending.size(), spreadMs(t), spreadMs(r), peak(r, 100), peak(r, 1000), joins.get(),
                        leaves.get(), count, (stopped - start) / 1e6, killed);
            } finally {
                toB.close();
                if (!reconnector.waitFor(10, TimeUnit.SECONDS)) {
                    reconnector.destroyForcibly();
                }
            }
        }
    }

    /**
     * Writes one line per connection (told, closed, reconnected: ms after the stop began; the handshake attempts;
     * the last failure) and one per connection A closed without telling it, with its close code and reason and
     * whether that was after A's stop ended; returns how many those were.
     */
    private static int report(Track track, List<Conn> conns, int n, String window, long start, long stopped,
                              boolean killed) throws java.io.IOException {
        StringBuilder csv = new StringBuilder("connection,told_ms,closed_ms,close_code,started_ms,opened_on_b_ms,"
                + "reconnected_ms,attempts,last_failure\n");
        StringBuilder untold = new StringBuilder(String.format(Locale.ROOT, "A's stop took %.0f ms%s%n",
                (stopped - start) / 1e6, killed ? " and was killed after 30 s" : ""));
        int count = 0;
        for (int i = 0; i < n; i++) {
            Conn c = conns.get(i);
            csv.append(i).append(',').append(ms(track.told[i], start)).append(',').append(ms(track.closed[i], start))
                    .append(',').append(c.closeCode).append(',').append(ms(track.started[i], start)).append(',')
                    .append(ms(track.opened[i], start)).append(',')
                    .append(ms(track.reconnected[i], start)).append(',')
                    .append(track.attempts[i]).append(',').append(track.lastFailure[i] == null ? ""
                            : '"' + track.lastFailure[i].replace('"', '\'') + '"').append('\n');
            if (track.told[i] == 0) {
                count++;
                untold.append(String.format(Locale.ROOT, "%d: %s, code %d, reason \"%s\"%s%n", i,
                        track.closed[i] == 0 ? "never closed" : "closed at " + ms(track.closed[i], start) + " ms",
                        c.closeCode, c.closeReason, track.closed[i] > stopped ? " (after A's stop ended)" : ""));
            }
        }
        for (String p : track.pending) {
            untold.append("still pending on B: ").append(p).append('\n');
        }
        Files.writeString(Path.of("target/bench/drain-" + window + "s-connections.csv"), csv);
        Files.writeString(Path.of("target/bench/drain-" + window + "s-untold.txt"), untold);
        return count;
    }

    private static String ms(long nanos, long start) {
        return nanos == 0 ? "" : String.format(Locale.ROOT, "%.1f", (nanos - start) / 1e6);
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
