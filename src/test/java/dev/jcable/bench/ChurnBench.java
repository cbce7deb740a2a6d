package dev.jcable.bench;

import dev.jcable.testsupport.Signing;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Presence churn: {@code members} joined to one stream while {@code rate} clients per second arrive, join, and
 * {@code lifetime} ms after their join leave (every fifth drops its TCP connection instead and leaves by
 * {@code presence_ttl}). Joins and leaves run on fixed schedules ({@link Schedule}): each churner connects and
 * subscribes {@code joinLead} ms before its join is due, sends {@code join} when due (or, when the server has not
 * let it subscribe by then, as soon as it has), and leaves or drops when its leave is due. Every event's latency is
 * measured at every member from the event's <em>scheduled</em> time, so a server that delays handshakes, subscribes
 * or joins cannot hide the delay. Also reported: events lost, the final {@code info} compared with the expected set,
 * and whether each schedule was kept.
 *
 * <p>Members and churners speak a {@link Dialect}: AnyCable's (join and leave commands on a subscribed stream) or
 * Pusher's, where the join is the presence channel's signed subscription and the leave its unsubscribe
 * ({@link PusherBench} runs both on one server).
 *
 * <p>On one node by default; {@link #cluster} runs the same churn with {@code broker=redis} on one node and on two
 * nodes of one Redis, members and churners alternating between the nodes, so every event crosses Redis.
 */
final class ChurnBench {

    /** One node with the server's configured broker, or {@code nodes} nodes with {@code broker=redis}. */
    record Setup(String label, String broker, int nodes) {
    }

    private ChurnBench() {
    }

    static void run(StringBuilder out) throws Exception {
        run(out, new Setup("1 node, memory broker", "memory", 1), null);
    }

    /**
     * bench/run.sh clusterchurn: the churn on Payara Micro with the memory broker, with {@code broker=redis} on one
     * node, and on two nodes of one Redis (a redis-server this run starts, without persistence), in the same run.
     */
    static void cluster(StringBuilder out) throws Exception {
        try (dev.jcable.testsupport.RedisServer redis = dev.jcable.testsupport.RedisServer.startNew()) {
            int prefix = 0;
            for (Setup setup : List.of(new Setup("1 node, memory broker", "memory", 1),
                    new Setup("1 node, broker=redis", "redis", 1), new Setup("2 nodes, broker=redis", "redis", 2))) {
                out.append("### ").append(setup.label()).append("\n\n");
                run(out, setup, setup.broker().equals("redis") ? List.of("-Danycable.broker=redis",
                        "-Danycable.redis_url=" + redis.url(), "-Danycable.redis_prefix=churn" + prefix++) : null);
                out.append('\n');
            }
        }
    }

    private static void run(StringBuilder out, Setup setup, List<String> brokerOptions) throws Exception {
        java.nio.file.Path war = Wars.export(Wars.jcable(Bench.jcableWar()), "jcable-bench.war");
        List<String> options = new ArrayList<>(List.of("-Danycable.presence_ttl=" + Bench.intProp("presenceTtl", 2)));
        if (brokerOptions != null) {
            options.addAll(brokerOptions);
        }
        List<Server> nodes = new ArrayList<>();
        try (AutoCloseable stop = () -> {
            for (Server node : nodes) {
                node.close();
            }
        }) {
            for (int i = 0; i < setup.nodes(); i++) {
                nodes.add(Bench.healthy(Bench.jakarta(war, Bench.jcableOptions(options.toArray(String[]::new)))));
            }
            measure(out, setup, nodes, Dialect.anycable(Bench.SECRET), Bench.intProp("members", 500),
                    Bench.intProp("churnSeconds", 10));
        }
    }

    /** What {@link #measure} found, for comparisons (the full tables go to its output). */
    record Result(Latencies.Summary joins, Latencies.Summary leaves, Latencies.Summary ttlLeaves, long expected,
                  long received, boolean infoOk, double serverCpu) {
    }

    /**
     * One churn of {@code seconds} among {@code members} on running {@code nodes} (started with {@code presence_ttl} =
     * {@code bench.presenceTtl}), members and churners speaking {@code dialect}; its tables appended to {@code out}.
     */
    static Result measure(StringBuilder out, Setup setup, List<Server> nodes, Dialect dialect, int members,
                          int seconds) throws Exception {
        int rate = Bench.intProp("churnRate", 50);
        int lifetime = Bench.intProp("lifetime", 1000);
        int lead = Bench.intProp("joinLead", 1000);
        int inFlight = Bench.intProp("churnInFlight", 256);
        int drain = Bench.intProp("churnDrain", 10_000);
        int ttl = Bench.intProp("presenceTtl", 2);
        int churners = rate * seconds;
        String stream = dialect.presenceStream();
        HttpClient ws = Conn.client();
        Server server = nodes.get(0);
        List<URI> uris = nodes.stream().map(n -> dialect.uri(n.base().getPort())).toList();
        Latencies joins = new Latencies(members * churners + 1);
        Latencies leaves = new Latencies(members * churners + 1);
        Latencies ttlLeaves = new Latencies(members * churners + 1);
        AtomicLong events = new AtomicLong();
        AtomicLong lastEvent = new AtomicLong();
        long expected = 2L * members * churners;
        CountDownLatch allEvents = new CountDownLatch(1);
        long ttlMicros = ttl * 1_000_000L;

        // the join and leave schedules, set once the members are in (the members' handlers read them)
        AtomicReference<Schedule> joinPlan = new AtomicReference<>();
        AtomicReference<Schedule> leavePlan = new AtomicReference<>();

        // the members (observers), split evenly between the nodes
        CountDownLatch ready = new CountDownLatch(members);
        java.util.function.IntFunction<java.util.function.BiConsumer<Conn, String>> observer = i -> {
            String id = "m" + i;
            return (conn, frame) -> {
                String[] p = dialect.presence(frame);
                if (p != null && p[1] != null && p[1].startsWith("c")) {
                    long now = Payload.nowMicros();
                    int k = Integer.parseInt(p[1].substring(1));
                    if (p[0].equals("join")) {
                        joins.add(now - joinPlan.get().scheduledMicros(k));
                    } else if (k % 5 != 4) {
                        leaves.add(now - leavePlan.get().scheduledMicros(k));
                    } else {
                        ttlLeaves.add(now - leavePlan.get().scheduledMicros(k) - ttlMicros);
                    }
                    lastEvent.set(System.nanoTime());
                    if (events.incrementAndGet() == expected) {
                        allEvents.countDown();
                    }
                } else {
                    dialect.member(conn, frame, id, ready);
                }
            };
        };
        List<Conn> observers = new ArrayList<>();
        for (int j = 0; j < nodes.size(); j++) {
            int from = j * members / nodes.size();
            int to = (j + 1) * members / nodes.size();
            observers.addAll(Conn.openAll(ws, uris.get(j), dialect.subprotocol(), from, to - from, 32,
                    observer));
        }
        if (!ready.await(180, TimeUnit.SECONDS)) {
            throw new IllegalStateException(ready.getCount() + " members not joined");
        }
        Thread.sleep(3000); // let the N² setup events drain

        // the three schedules: arrivals (connect + subscribe), joins, leaves; one period, shifted
        long period = 1_000_000_000L / rate;
        long t0 = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100 + lead);
        Schedule arrive = new Schedule(Schedule.SYSTEM, t0 - TimeUnit.MILLISECONDS.toNanos(lead), period, churners,
                inFlight);
        Schedule join = new Schedule(Schedule.SYSTEM, t0, period, churners, inFlight);
        Schedule leave = new Schedule(Schedule.SYSTEM, t0 + TimeUnit.MILLISECONDS.toNanos(lifetime), period,
                churners, inFlight);
        joinPlan.set(join);
        leavePlan.set(leave);

        // the churn
        List<CompletableFuture<Conn>> subscribed = new ArrayList<>();
        List<CompletableFuture<Conn>> joined = new ArrayList<>();
        for (int k = 0; k < churners; k++) {
            subscribed.add(new CompletableFuture<>());
            joined.add(new CompletableFuture<>());
        }
        ScheduledExecutorService timer = Executors.newScheduledThreadPool(1, r -> {
            Thread t = new Thread(r, "churn-close");
            t.setDaemon(true);
            return t;
        });
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        java.util.function.LongSupplier serversCpu = () -> nodes.stream().mapToLong(Server::cpuNanos).sum();
        long srv0 = serversCpu.getAsLong();
        long wall0 = System.nanoTime();
        ExecutorService runners = Executors.newFixedThreadPool(3);
        Future<Schedule.Report> arrivals = runners.submit(() -> arrive.run((k, due) -> {
            CompletableFuture<Conn> sub = subscribed.get(k);
            Conn.open(ws, uris.get(k % uris.size()), dialect.subprotocol(), (conn, frame) -> {
                if (dialect.arrived(conn, frame)) {
                    sub.complete(conn);
                }
            }).exceptionally(e -> {
                sub.completeExceptionally(e);
                return null;
            });
            return sub;
        }, drain));
        Future<Schedule.Report> joining = runners.submit(() -> join.run((k, due) ->
                subscribed.get(k).thenCompose(conn -> conn.send(dialect.join(conn, "c" + k))
                        .thenApply(x -> conn)).whenComplete((conn, e) -> {
                            if (e == null) {
                                joined.get(k).complete(conn);
                            } else {
                                joined.get(k).completeExceptionally(e);
                            }
                        }), drain));
        Future<Schedule.Report> leaving = runners.submit(() -> leave.run((k, due) ->
                joined.get(k).thenCompose(conn -> {
                    if (k % 5 == 4) {
                        conn.abort();
                        return CompletableFuture.completedFuture(null);
                    }
                    return conn.send(dialect.leave(conn)).whenComplete((x, e) ->
                            timer.schedule(conn::close, 300, TimeUnit.MILLISECONDS));
                }), drain));
        Schedule.Report arrivalReport = arrivals.get();
        Schedule.Report joinReport = joining.get();
        Schedule.Report leaveReport = leaving.get();
        runners.shutdown();
        // every event is due by the last leave + presence_ttl; wait that long and then `drain` ms more, at most
        long waitUntil = leave.scheduledNanos(churners - 1) + TimeUnit.SECONDS.toNanos(ttl)
                + TimeUnit.MILLISECONDS.toNanos(drain);
        allEvents.await(Math.max(0, waitUntil - System.nanoTime()), TimeUnit.NANOSECONDS);
        // CPU up to the last event received (the bounded wait for lost ones must not dilute it)
        long wall = Math.max(lastEvent.get(), leave.scheduledNanos(churners - 1)) - wall0;
        double clientCpu = (double) (os.getProcessCpuTime() - cpu0) / wall;
        double serverCpu = (double) (serversCpu.getAsLong() - srv0) / wall;
        Thread.sleep(500);

        // the final info
        HttpResponse<String> info = null;
        for (int attempt = 0; info == null; attempt++) {
            try {
                info = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
                        HttpRequest.newBuilder(server.base().resolve("api/presence/"
                                + java.net.URLEncoder.encode(stream, java.nio.charset.StandardCharsets.UTF_8)
                                + "/users"))
                                .timeout(java.time.Duration.ofSeconds(30))
                                .header("Authorization", "Bearer " + Signing.apiKey(Bench.SECRET)).build(),
                        HttpResponse.BodyHandlers.ofString());
            } catch (java.io.IOException e) {
                if (attempt == 4) {
                    throw e;
                }
                System.err.println("info: " + e + "; retrying");
                Thread.sleep(2000);
            }
        }
        Set<String> ids = new TreeSet<>();
        Matcher m = Pattern.compile("\"id\":\"([^\"]+)\"").matcher(info.body());
        while (m.find()) {
            ids.add(m.group(1));
        }
        Set<String> want = new TreeSet<>();
        for (int i = 0; i < members; i++) {
            want.add("m" + i);
        }
        boolean infoOk = info.statusCode() == 200 && ids.equals(want);

        out.append(String.format(Locale.ROOT, "Presence churn on %s (%s, %s): %d members in one stream; %d "
                + "clients/s join and leave for %d s (%d churners, each connecting %d ms before its join and "
                + "present %d ms; every fifth drops its connection, presence_ttl %d s). Latency in ms at all %d "
                + "members, from each event's scheduled time.%n%n", Bench.server().label, dialect.label(), setup.label()
                + (nodes.size() > 1 ? ", members split evenly, churners alternating between the nodes" : ""),
                members, rate, seconds, churners, lead, lifetime, ttl, members));
        out.append("| event | samples | p50 | p95 | p99 | max |\n|---|---:|---:|---:|---:|---:|\n");
        out.append(line("join (scheduled join → event)", joins.summary()));
        out.append(line("leave (scheduled leave → event)", leaves.summary()));
        out.append(line("leave after drop (lateness beyond scheduled drop + presence_ttl)", ttlLeaves.summary()));
        out.append(String.format(Locale.ROOT, "%nevents expected %d, received %d, lost %d (not there %.1f s "
                + "after the last one was due); final info %s (%d ids, expected %d, asked on the first node); servers' CPU %.0f %%, "
                + "load-generator CPU %.0f %% over %.1f s%n", expected, events.get(), expected - events.get(),
                drain / 1000.0, infoOk ? "= expected set" : "DIFFERS", ids.size(), members, 100 * serverCpu,
                100 * clientCpu, wall / 1e9));
        out.append("\nThe schedules (answer = subscribed, join written, leave written or connection dropped; "
                + "from the scheduled time, ms):\n\n| schedule | kept | latest send late (ms) | in flight max "
                + "| held by the bound | failed | unanswered | answer p50 | p95 | p99 | max |\n"
                + "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        out.append(Bench.publisherRow("arrivals (connect; AnyCable: and subscribe)", arrivalReport));
        out.append(Bench.publisherRow("joins", joinReport));
        out.append(Bench.publisherRow("leaves and drops", leaveReport));
        System.err.println("arrivals " + arrivalReport + "\njoins " + joinReport + "\nleaves " + leaveReport);
        for (CompletableFuture<Conn> c : subscribed) {
            c.thenAccept(Conn::abort);
        }
        observers.forEach(Conn::abort);
        timer.shutdownNow();
        return new Result(joins.summary(), leaves.summary(), ttlLeaves.summary(), expected, events.get(), infoOk,
                serverCpu);
    }

    private static String line(String what, Latencies.Summary s) {
        return String.format(Locale.ROOT, "| %s | %d | %.2f | %.2f | %.2f | %.2f |%n", what, s.samples(), s.p50(),
                s.p95(), s.p99(), s.max());
    }
}
