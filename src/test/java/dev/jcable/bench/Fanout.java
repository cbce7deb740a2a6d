package dev.jcable.bench;

import dev.jcable.testsupport.Signing;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Broadcast fan-out latency (the websocket-shootout idea): N subscribers on one stream, a 200-byte payload published
 * on a fixed schedule and stamped with its <em>scheduled</em> send time; every delivery's latency is receive time −
 * scheduled time, so a server that holds the publisher up cannot hide the delay (coordinated omission).
 */
public final class Fanout {

    public enum Kind {
        /** jcable, published with POST /_broadcast. */
        JCABLE_HTTP,
        /** jcable, published in-process through the Java API ({@code Broadcaster}), see {@link JavaApiPublishServlet}. */
        JCABLE_JAVA,
        /** a bare @ServerEndpoint broadcaster (POST /broadcast), or the Node ws server (same contract). */
        RAW
    }

    /**
     * Where to run.
     *
     * @param base   http://127.0.0.1:port/ of the server (context root /)
     * @param secret jcable's secret: broadcasts are keyed with it (ignored for RAW)
     * @param subscribeTo the servers the subscribers are spread over, in turn (one node: {@code base})
     * @param dialect what the subscribers speak ({@link Dialect#RAW} for RAW)
     */
    public record Target(String label, Kind kind, URI base, String secret, List<URI> subscribeTo, Dialect dialect) {

        /** Everything on one server. */
        public Target(String label, Kind kind, URI base, String secret) {
            this(label, kind, base, secret, List.of(base));
        }

        /** Subscribers in the AnyCable dialect (RAW for the bare servers). */
        public Target(String label, Kind kind, URI base, String secret, List<URI> subscribeTo) {
            this(label, kind, base, secret, subscribeTo, kind == Kind.RAW ? Dialect.RAW : Dialect.anycable(secret));
        }

        /** Where subscriber {@code i} connects: the servers in turn (a cluster's nodes), publishing goes to base. */
        URI subscriberBase(int i) {
            return subscribeTo.get(i % subscribeTo.size());
        }
    }

    /**
     * @param maxInFlight publications unanswered at once, at most (the publisher's bound; see {@link Schedule})
     */
    public record Settings(int subscribers, int warmup, int messages, int rateHz, int payloadBytes, int maxInFlight) {
        public int total() {
            return warmup + messages;
        }
    }

    public record Result(String label, Settings settings, long expected, long received, Latencies.Summary latency,
                         Schedule.Report publisher, double clientCpu, double serverCpu, double seconds) {
        public double deliveredShare() {
            return expected == 0 ? 0 : (double) received / expected;
        }
    }

    private Fanout() {
    }

    /**
     * Connects the subscribers, publishes, waits (bounded) for every delivery, closes.
     *
     * @param serverCpu the server's CPU time in nanoseconds so far (or a supplier of 0 when unknown)
     */
    public static Result run(HttpClient ws, Target target, Settings s, LongSupplier serverCpu) throws Exception {
        Dialect dialect = target.dialect();
        String stream = dialect.fanoutStream();
        String stamp = dialect.field("t");
        String sequence = dialect.field("s");

        long expected = (long) s.subscribers() * s.total();
        AtomicLong received = new AtomicLong();
        AtomicLong lastDelivery = new AtomicLong();
        Latencies latencies = new Latencies((int) Math.min(Integer.MAX_VALUE - 8, (long) s.subscribers() * s.messages()));
        CountDownLatch ready = new CountDownLatch(s.subscribers());
        CountDownLatch all = new CountDownLatch(1);
        int warmup = s.warmup();

        List<Conn> conns = new ArrayList<>(s.subscribers());
        Semaphore connecting = new Semaphore(64);
        List<CompletableFuture<Conn>> opening = new ArrayList<>();
        for (int i = 0; i < s.subscribers(); i++) {
            connecting.acquire();
            URI uri = dialect.uri(target.subscriberBase(i).getPort());
            CompletableFuture<Conn> c = Conn.open(ws, uri, dialect.subprotocol(), (conn, frame) -> {
                long t = Payload.field(frame, stamp);
                if (t >= 0) {
                    long now = Payload.nowMicros();
                    if (Payload.field(frame, sequence) >= warmup) {
                        latencies.add(now - t);
                    }
                    lastDelivery.set(System.nanoTime());
                    if (received.incrementAndGet() == expected) {
                        all.countDown();
                    }
                } else if (dialect.subscribed(conn, frame, stream)) {
                    ready.countDown();
                }
            });
            c.whenComplete((conn, e) -> connecting.release());
            opening.add(c);
        }
        for (CompletableFuture<Conn> c : opening) {
            conns.add(c.get(60, TimeUnit.SECONDS));
        }
        try {
            if (!ready.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException(target.label() + ": only " + (s.subscribers() - ready.getCount())
                        + " of " + s.subscribers() + " subscribers ready");
            }
            Thread.sleep(200);
            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long cpu0 = os.getProcessCpuTime();
            long srv0 = serverCpu.getAsLong();
            long t0 = System.nanoTime();
            Schedule.Report publisher = publish(target, stream, s);
            all.await(Math.max(10_000, 20L * s.subscribers()), TimeUnit.MILLISECONDS);
            // CPU over the publish window up to the last delivery: a bounded wait for deliveries that never come
            // must not dilute it (the servers are idle by then)
            long wall = Math.max(lastDelivery.get(), t0 + 1_000_000_000L * s.total() / s.rateHz()) - t0;
            double clientCpu = (double) (os.getProcessCpuTime() - cpu0) / wall;
            double srvCpu = (double) (serverCpu.getAsLong() - srv0) / wall;
            return new Result(target.label(), s, expected, received.get(), latencies.summary(), publisher, clientCpu,
                    srvCpu, wall / 1e9);
        } finally {
            for (Conn conn : conns) {
                conn.close();
            }
            for (Conn conn : conns) {
                try {
                    conn.closed.get(5, TimeUnit.SECONDS);
                } catch (Exception e) {
                    conn.abort();
                }
            }
        }
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    /**
     * Publishes {@code s.total()} stamped payloads on a fixed schedule (see {@link Schedule}): over HTTP from here,
     * {@code s.maxInFlight()} requests at most unanswered; or, for the Java API, inside the server, which answers
     * with its own publisher's report once done.
     */
    private static Schedule.Report publish(Target target, String stream, Settings s) throws Exception {
        URI base = target.base();
        if (target.kind() == Kind.JCABLE_JAVA) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(base.resolve("bench/publish?stream="
                            + URLEncoder.encode(stream, StandardCharsets.UTF_8) + "&count=" + s.total() + "&rate="
                            + s.rateHz() + "&size=" + s.payloadBytes() + "&inflight=" + s.maxInFlight()))
                    .timeout(Duration.ofMinutes(5)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException(r.uri() + " answered " + r.statusCode() + ": " + r.body());
            }
            return Schedule.Report.parse(r.body());
        }
        URI uri = base.resolve(target.kind() == Kind.JCABLE_HTTP ? "_broadcast" : "broadcast");
        String key = target.kind() == Kind.JCABLE_HTTP ? Signing.broadcastKey(target.secret()) : null;
        Schedule schedule = Schedule.atRate(s.rateHz(), s.total(), s.maxInFlight(), 100);
        return schedule.run((seq, scheduledMicros) -> {
            String payload = Payload.make(scheduledMicros, seq, s.payloadBytes());
            String body = target.kind() == Kind.JCABLE_HTTP
                    ? "{\"stream\":" + Payload.quoted(stream) + ",\"data\":" + Payload.quoted(payload) + "}" : payload;
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
            if (key != null) {
                b.header("Authorization", "Bearer " + key);
            }
            return HTTP.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString()).thenApply(r -> {
                if (r.statusCode() / 100 != 2) {
                    throw new IllegalStateException(r.uri() + " answered " + r.statusCode() + ": " + r.body());
                }
                return r;
            });
        }, 30_000);
    }
}
