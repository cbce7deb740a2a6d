package dev.jcable.bench;

import java.net.http.HttpClient;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * bench/run.sh pusher: the Pusher endpoint against the AnyCable endpoint, one server process with Pusher mode on
 * serving both. Fan-out to N subscribers of one stream (public channel), published with POST /_broadcast either way
 * so only the subscribers' protocol differs, the two dialects taking turns at each N (the first one alternating);
 * then, after a short warm-up churn in each, the presence churn ({@link ChurnBench}) in each dialect,
 * {@code bench.churnRounds} (2) rounds, the first one alternating (AnyCable, Pusher; Pusher, AnyCable; …). Reports Pusher ÷ AnyCable from the same run.
 */
final class PusherBench {

    static final String KEY = "bench-key";
    static final String PUSHER_SECRET = "bench-pusher-s3Krit";

    private PusherBench() {
    }

    static void run(StringBuilder out) throws Exception {
        int[] ns = Arrays.stream(Bench.prop("n", "500,1000,2000").split(",")).mapToInt(Integer::parseInt).toArray();
        int warmup = Bench.intProp("warmup", 20);
        int messages = Bench.intProp("messages", 400);
        int rate = Bench.intProp("rate", 20);
        int size = Bench.intProp("payload", 200);
        int inFlight = Bench.intProp("maxInFlight", 64);
        List<Dialect> dialects = List.of(Dialect.anycable(Bench.SECRET), Dialect.pusher(KEY, PUSHER_SECRET));
        Path war = Wars.export(Wars.jcable(Bench.jcableWar()), "jcable-bench.war");
        HttpClient ws = Conn.client();
        Fanout.Result[][] fanout = new Fanout.Result[ns.length][2];
        int rounds = Bench.intProp("churnRounds", 2);
        ChurnBench.Result[][] churn = new ChurnBench.Result[rounds][2];
        StringBuilder churnOut = new StringBuilder();
        try (Server server = Bench.healthy(Bench.jakarta(war, Bench.jcableOptions("-Danycable.pusher_app_key=" + KEY,
                "-Danycable.pusher_secret=" + PUSHER_SECRET, "-Danycable.presence_ttl="
                        + Bench.intProp("presenceTtl", 2))))) {
            for (Dialect d : dialects) { // warm-up (JIT, pools) of both paths, not reported
                Fanout.run(ws, target(d, server), new Fanout.Settings(Math.min(ns[0], 250), 0,
                        Bench.intProp("warmupMessages", 1000), Math.max(rate, 50), size, inFlight), server::cpuNanos);
            }
            for (int i = 0; i < ns.length; i++) {
                for (int turn = 0; turn < 2; turn++) {
                    int k = (i + turn) % 2;
                    Fanout.Result r = Fanout.run(ws, target(dialects.get(k), server), new Fanout.Settings(ns[i],
                            warmup, messages, rate, size, inFlight), server::cpuNanos);
                    System.err.println(dialects.get(k).label() + " N=" + ns[i] + ": " + r.latency() + " delivered "
                            + r.received() + "/" + r.expected() + "; " + r.publisher());
                    fanout[i][k] = r;
                    Thread.sleep(1000);
                }
            }
            ChurnBench.Setup setup = new ChurnBench.Setup("1 node, memory broker", "memory", 1);
            int members = Bench.intProp("members", 500);
            for (Dialect d : dialects) { // warm-up of both presence paths, not reported
                ChurnBench.measure(new StringBuilder(), setup, List.of(server), d, Math.min(members, 100), 3);
                Thread.sleep(1000L * Bench.intProp("presenceTtl", 2) + 2000); // the dropped observers' TTL leaves
            }
            for (int round = 0; round < rounds; round++) {
                for (int turn = 0; turn < 2; turn++) {
                    int k = (round + turn) % 2;
                    churnOut.append("#### Round ").append(round + 1).append(", ").append(dialects.get(k).label())
                            .append("\n\n");
                    churn[round][k] = ChurnBench.measure(churnOut, setup, List.of(server), dialects.get(k), members,
                            Bench.intProp("churnSeconds", 10));
                    churnOut.append('\n');
                    Thread.sleep(1000L * Bench.intProp("presenceTtl", 2) + 2000); // the dropped observers' TTL leaves
                }
            }
        }

        out.append(String.format(Locale.ROOT, "Fan-out on %s, one server process serving both endpoints: %d warm-up "
                + "+ %d measured broadcasts per run, %d/s, %d-byte payload, POST /_broadcast for both; latency = "
                + "receive time − scheduled send time, ms. The two endpoints take turns at each N.%n%n",
                Bench.server().label, warmup, messages, rate, size));
        out.append("| N | endpoint | p50 | p95 | p99 | max | delivered | server CPU | p95 Pusher ÷ AnyCable "
                + "| CPU Pusher ÷ AnyCable |\n|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (int i = 0; i < ns.length; i++) {
            for (int k = 0; k < 2; k++) {
                Fanout.Result r = fanout[i][k];
                var l = r.latency();
                out.append(String.format(Locale.ROOT, "| %d | %s | %.2f | %.2f | %.2f | %.2f | %.2f %% | %.0f %% | %s "
                        + "| %s |%n", ns[i], dialects.get(k).label(), l.p50(), l.p95(), l.p99(), l.max(),
                        100 * r.deliveredShare(), 100 * r.serverCpu(),
                        k == 0 ? "" : ratio(l.p95(), fanout[i][0].latency().p95()),
                        k == 0 ? "" : ratio(r.serverCpu(), fanout[i][0].serverCpu())));
            }
        }
        out.append("\nThe publisher:\n\n| endpoint | N | schedule kept | latest send late (ms) | in flight max | held "
                + "by the bound | failed | unanswered | publish p50 | p95 | p99 | max |\n"
                + "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (int i = 0; i < ns.length; i++) {
            for (int k = 0; k < 2; k++) {
                out.append(Bench.publisherRow(dialects.get(k).label() + " | " + ns[i], fanout[i][k].publisher()));
            }
        }
        out.append("\nPresence churn on the same server, the endpoints taking turns (summary; the full tables "
                + "follow), ms:\n\n| round | endpoint | join p50 | join p95 | leave p50 | leave p95 | leave after drop "
                + "p95 | events lost | final info | server CPU |\n|---:|---|---:|---:|---:|---:|---:|---:|---|---:|\n");
        for (int round = 0; round < rounds; round++) {
            for (int k = 0; k < 2; k++) {
                ChurnBench.Result c = churn[round][k];
                out.append(String.format(Locale.ROOT, "| %d | %s | %.2f | %.2f | %.2f | %.2f | %.2f | %d of %d | %s "
                        + "| %.0f %% |%n", round + 1, dialects.get(k).label(), c.joins().p50(), c.joins().p95(),
                        c.leaves().p50(), c.leaves().p95(), c.ttlLeaves().p95(), c.expected() - c.received(),
                        c.expected(), c.infoOk() ? "right" : "**wrong**", 100 * c.serverCpu()));
            }
            ChurnBench.Result a = churn[round][0];
            ChurnBench.Result p = churn[round][1];
            out.append(String.format(Locale.ROOT, "| %d | **Pusher ÷ AnyCable** | %s | %s | %s | %s | %s | | | %s |%n",
                    round + 1, ratio(p.joins().p50(), a.joins().p50()), ratio(p.joins().p95(), a.joins().p95()),
                    ratio(p.leaves().p50(), a.leaves().p50()), ratio(p.leaves().p95(), a.leaves().p95()),
                    ratio(p.ttlLeaves().p95(), a.ttlLeaves().p95()), ratio(p.serverCpu(), a.serverCpu())));
        }
        out.append('\n');
        out.append(churnOut);
    }

    static Fanout.Target target(Dialect dialect, Server server) {
        return new Fanout.Target(dialect.label(), Fanout.Kind.JCABLE_HTTP, server.base(), Bench.SECRET,
                List.of(server.base()), dialect);
    }

    private static String ratio(double a, double b) {
        return String.format(Locale.ROOT, "%.2f×", a / b);
    }
}
