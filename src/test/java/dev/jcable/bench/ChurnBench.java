package dev.jcable.bench;

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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Presence churn: {@code members} joined to one stream while {@code rate} clients per second connect, join, and
 * after {@code lifetime} ms leave (every fifth drops its TCP connection instead and leaves by {@code presence_ttl}).
 * Latency of join/leave events at every member (event received − command sent), events lost, and the final
 * {@code info} compared with the expected set.
 */
final class ChurnBench {

    private ChurnBench() {
    }

    static void run(StringBuilder out) throws Exception {
        int members = Bench.intProp("members", 1000);
        int rate = Bench.intProp("churnRate", 50);
        int seconds = Bench.intProp("churnSeconds", 10);
        int lifetime = Bench.intProp("lifetime", 1000);
        int ttl = Bench.intProp("presenceTtl", 2);
        int churners = rate * seconds;
        String stream = "bench/churn";
        String identifier = Cable.identifier(Bench.SECRET, stream);

        HttpClient ws = Conn.client();
        try (Server server = Server.payara(Bench.prop("serverCpus", "0"), Bench.microJar(),
                Wars.export(Wars.jcable(Bench.jcableWar()), "jcable-bench.war"),
                Bench.jcableOptions("-Danycable.presence_ttl=" + ttl))) {
            URI uri = URI.create("ws://127.0.0.1:" + server.base().getPort() + "/cable");
            AtomicLongArray joinSent = new AtomicLongArray(churners);
            AtomicLongArray leaveSent = new AtomicLongArray(churners);
            AtomicLongArray dropped = new AtomicLongArray(churners);
            Latencies joins = new Latencies(members * churners + 1);
            Latencies leaves = new Latencies(members * churners + 1);
            Latencies ttlLeaves = new Latencies(members * churners + 1);
            AtomicLong events = new AtomicLong();
            long expected = 2L * members * churners;
            CountDownLatch allEvents = new CountDownLatch(1);
            long ttlMicros = ttl * 1_000_000L;

            // the members (observers)
            CountDownLatch ready = new CountDownLatch(members);
            List<Conn> observers = Conn.openAll(ws, uri, "actioncable-v1-ext-json", 0, members, 32, i -> {
                Cable.Member member = new Cable.Member(identifier, "m" + i);
                return (conn, frame) -> {
                    String[] p = Cable.presence(frame);
                    if (p != null && p[1] != null && p[1].startsWith("c")) {
                        long now = Payload.nowMicros();
                        int k = Integer.parseInt(p[1].substring(1));
                        if (p[0].equals("join")) {
                            joins.add(now - joinSent.get(k));
                        } else if (leaveSent.get(k) != 0) {
                            leaves.add(now - leaveSent.get(k));
                        } else {
                            ttlLeaves.add(now - dropped.get(k) - ttlMicros);
                        }
                        if (events.incrementAndGet() == expected) {
                            allEvents.countDown();
                        }
                    } else {
                        member.step(conn, frame, ready);
                    }
                };
            });
            if (!ready.await(180, TimeUnit.SECONDS)) {
                throw new IllegalStateException(ready.getCount() + " members not joined");
            }
            Thread.sleep(3000); // let the N² setup events drain

            // the churn
            ScheduledExecutorService timer = Executors.newScheduledThreadPool(1, r -> {
                Thread t = new Thread(r, "churn");
                t.setDaemon(true);
                return t;
            });
            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long cpu0 = os.getProcessCpuTime();
            long srv0 = server.cpuNanos();
            long t0 = System.nanoTime();
            List<CompletableFuture<Conn>> churning = new ArrayList<>();
            long period = 1_000_000_000L / rate;
            for (int k = 0; k < churners; k++) {
                long wait = t0 + k * period - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                int kk = k;
                String id = "c" + k;
                churning.add(Conn.open(ws, uri, "actioncable-v1-ext-json", (conn, frame) -> {
                    if (Cable.welcome(frame)) {
                        conn.send(Cable.subscribe(identifier));
                    } else if (Cable.confirmed(frame)) {
                        joinSent.set(kk, Payload.nowMicros());
                        conn.send(Cable.join(identifier, id));
                        timer.schedule(() -> {
                            if (kk % 5 == 4) {
                                dropped.set(kk, Payload.nowMicros());
                                conn.abort();
                            } else {
                                leaveSent.set(kk, Payload.nowMicros());
                                conn.send(Cable.leave(identifier));
                                timer.schedule(conn::close, 300, TimeUnit.MILLISECONDS);
                            }
                        }, lifetime, TimeUnit.MILLISECONDS);
                    }
                }));
            }
            allEvents.await(lifetime + ttl * 1000L + 20_000, TimeUnit.MILLISECONDS);
            long wall = System.nanoTime() - t0;
            double clientCpu = (double) (os.getProcessCpuTime() - cpu0) / wall;
            double serverCpu = (double) (server.cpuNanos() - srv0) / wall;
            Thread.sleep(500);

            // the final info
            HttpResponse<String> info = null;
            for (int attempt = 0; info == null; attempt++) {
                try {
                    info = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
                            HttpRequest.newBuilder(server.base().resolve("api/presence/bench%2Fchurn/users"))
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

            out.append(String.format(Locale.ROOT, "Presence churn: %d members in one stream; %d clients/s join and "
                    + "leave for %d s (%d churners, each present %d ms; every fifth drops its connection, "
                    + "presence_ttl %d s). Latency in ms at all %d members.%n%n", members, rate, seconds, churners,
                    lifetime, ttl, members));
            out.append("| event | samples | p50 | p95 | p99 | max |\n|---|---:|---:|---:|---:|---:|\n");
            out.append(line("join (join sent → event)", joins.summary()));
            out.append(line("leave (leave sent → event)", leaves.summary()));
            out.append(line("leave after drop (lateness beyond presence_ttl)", ttlLeaves.summary()));
            out.append(String.format(Locale.ROOT, "%nevents expected %d, received %d, lost %d; final info %s "
                    + "(%d ids, expected %d); server CPU %.0f %%, load-generator CPU %.0f %% over %.1f s%n",
                    expected, events.get(), expected - events.get(), infoOk ? "= expected set" : "DIFFERS",
                    ids.size(), members, 100 * serverCpu, 100 * clientCpu, wall / 1e9));
            for (CompletableFuture<Conn> c : churning) {
                c.thenAccept(Conn::abort);
            }
            observers.forEach(Conn::abort);
            timer.shutdownNow();
        }
    }

    private static String line(String what, Latencies.Summary s) {
        return String.format(Locale.ROOT, "| %s | %d | %.2f | %.2f | %.2f | %.2f |%n", what, s.samples(), s.p50(),
                s.p95(), s.p99(), s.max());
    }
}
