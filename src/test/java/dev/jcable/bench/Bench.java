package dev.jcable.bench;

import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The benchmark driver: {@code java … dev.jcable.bench.Bench fanout|memory|churn|cluster|…|pusher}. It starts each server itself
 * (pinned to {@code bench.serverCpus}, default 0) and is meant to run pinned to another core (bench/run.sh does
 * that). Settings are system properties {@code bench.*}; the results go to stdout and {@code bench.out} as Markdown.
 */
public final class Bench {

    static final String SECRET = "bench-s3Krit";

    public static void main(String[] args) throws Exception {
        String what = args.length == 0 ? "fanout" : args[0];
        StringBuilder out = new StringBuilder();
        out.append("<!-- ").append(what).append(' ').append(ZonedDateTime.now()).append(" -->\n");
        switch (what) {
            case "fanout" -> fanout(out);
            case "memory" -> MemoryBench.run(out);
            case "churn" -> ChurnBench.run(out);
            case "cluster" -> ClusterBench.run(out);
            case "clusterchurn" -> ChurnBench.cluster(out);
            case "drain" -> DrainBench.run(out);
            case "pusher" -> PusherBench.run(out);
            default -> throw new IllegalArgumentException("fanout | memory | churn | cluster | clusterchurn | drain "
                    + "| pusher");
        }
        System.out.println(out);
        String file = System.getProperty("bench.out");
        if (file != null) {
            Files.writeString(Path.of(file), out);
        }
        System.exit(0);
    }

    static String prop(String name, String def) {
        return System.getProperty("bench." + name, def);
    }

    static int intProp(String name, int def) {
        return Integer.parseInt(prop(name, String.valueOf(def)));
    }

    /** The server under test, {@code bench.server}: payara (default), wildfly or liberty. */
    static Server.Kind server() {
        return Server.Kind.valueOf(prop("server", "payara").toUpperCase(Locale.ROOT));
    }

    /** {@code war} on the server under test, pinned to {@code bench.serverCpus}. */
    static Server jakarta(Path war, List<String> jvmOptions) throws Exception {
        return Server.jakarta(server(), prop("serverCpus", "0"), war, jvmOptions);
    }

    static Path jcableWar() {
        return Path.of(prop("war", "target/jcable.war"));
    }

    /** JVM options of every Jakarta EE server under test: the same for jcable and the bare endpoint, on every server. */
    static List<String> jvm(String... extra) {
        // -Dbench.memoryOpts=-Xms64m,-XX:+UseG1GC,… replaces the heap and collector options (comma-separated: run.sh
        // splits BENCH_OPTS on spaces); the memory benchmark compares such sets
        return jvmWith(prop("memoryOpts", "-Xms" + prop("heap", "1g") + ",-Xmx" + prop("heap", "1g")
                + ",-XX:+UseSerialGC"), extra);
    }

    /**
     * The heap and collector options docs/deploy.md recommends, the same on every server (bench.tunedOpts replaces
     * them): a small initial heap that grows with the connections, the serial collector, which gives the free heap
     * back to the OS after its full collections (MaxHeapFreeRatio), and a young generation of a fixed 64 MB (by
     * default the serial collector's is a third of the heap, all of it resident once used). No cap on direct memory:
     * with -XX:MaxDirectMemorySize=64m WildFly stopped answering handshakes between 5,000 and 10,000 connections.
     */
    static String tunedOpts() {
        return prop("tunedOpts", "-XX:+UseSerialGC,-Xms64m,-Xmx" + prop("heap", "1g")
                + ",-Xmn64m,-XX:MinHeapFreeRatio=10,-XX:MaxHeapFreeRatio=20");
    }

    /** The same with G1 (bench.g1Opts replaces them): G1's periodic collection returns the free heap when idle. */
    static String g1Opts() {
        return prop("g1Opts", "-XX:+UseG1GC,-Xms64m,-Xmx" + prop("heap", "1g") + ",-Xmn64m,-XX:MinHeapFreeRatio=10,"
                + "-XX:MaxHeapFreeRatio=20,-XX:G1PeriodicGCInterval=15000");
    }

    /** {@link #jvm} with the heap and collector options {@code memory} (comma-separated) instead. */
    static List<String> jvmWith(String memory, String... extra) {
        List<String> options = new ArrayList<>(Arrays.asList(memory.trim().split(",")));
        options.addAll(Arrays.asList(extra));
        String more = prop("jvmOpts", "");
        if (!more.isBlank()) {
            options.addAll(Arrays.asList(more.trim().split("\\s+")));
        }
        return options;
    }

    /**
     * Waits (at most 60 s) until jcable on {@code server} answers {@code /api/health} with 200: with
     * {@code broker=redis} a node connects to Redis after its deployment and refuses subscriptions until then.
     */
    static Server healthy(Server server) throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        long limit = intProp("startTimeout", 60); // seconds; a loaded machine needs more
        long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(limit);
        while (http.send(java.net.http.HttpRequest.newBuilder(server.base().resolve("api/health")).build(),
                java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode() != 200) {
            if (System.nanoTime() > until) {
                throw new IllegalStateException("jcable on " + server.base() + " is not healthy after " + limit + " s");
            }
            Thread.sleep(50); // poll interval of the condition
        }
        return server;
    }

    /** Waits for {@code condition}, polling every 50 ms, at most {@code seconds}; throws saying {@code what}. */
    static void await(java.util.function.BooleanSupplier condition, long seconds, String what)
            throws InterruptedException {
        long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > until) {
                throw new IllegalStateException("not within " + seconds + " s: " + what);
            }
            Thread.sleep(50); // poll interval of the condition
        }
    }

    static List<String> jcableOptions(String... extra) {
        return jcable(jvm(extra));
    }

    /** {@code options} and what every jcable under test gets: the secret, and JFR when asked. */
    static List<String> jcable(List<String> options) {
        return jcable(options, "");
    }

    /** The same, the JFR recording (if any) named with {@code tag}: {@code <jfr without .jfr>-<tag>.jfr}. */
    static List<String> jcable(List<String> options, String tag) {
        options.add("-Danycable.secret=" + SECRET);
        String jfr = prop("jfr", "");
        if (!jfr.isEmpty()) {
            String file = tag.isEmpty() ? jfr : jfr.replaceFirst("(\\.jfr)?$", "-" + tag + ".jfr");
            options.add("-XX:StartFlightRecording=filename=" + file + ",settings=profile,dumponexit=true");
        }
        return options;
    }

    private static void fanout(StringBuilder out) throws Exception {
        int[] ns = Arrays.stream(prop("n", "250,500,1000,2000").split(",")).mapToInt(Integer::parseInt).toArray();
        int warmup = intProp("warmup", 20);
        int messages = intProp("messages", 400); // 20 s at 20/s: past the JVM's warm-up (BENCHMARKS.md, "Method")
        int rate = intProp("rate", 20);
        int size = intProp("payload", 200);
        int inFlight = intProp("maxInFlight", 64);
        String cpus = prop("serverCpus", "0");
        List<String> targets = Arrays.asList(prop("targets", "node,bare,jcable").split(","));
        Path jcableWar = Wars.export(Wars.jcable(jcableWar()), "jcable-bench.war");
        Path bareWar = Wars.export(Wars.bare(), "bare.war");
        HttpClient ws = Conn.client();

        Map<String, Map<Integer, Fanout.Result>> results = new LinkedHashMap<>();
        for (String target : targets) {
            // jcable@<name>: jcable from the WAR of -Dbench.war.<name> (before/after in one run), its JFR recording
            // (with -Dbench.jfr) in a file of its own
            String tag = target.contains("@") ? target.substring(target.indexOf('@') + 1) : "";
            String name = tag.isEmpty() ? target : target.substring(0, target.indexOf('@'));
            String label = tag.isEmpty() ? "" : " @" + tag;
            List<String[]> kinds = switch (name) {
                case "bare" -> List.<String[]>of(new String[] {"bare @ServerEndpoint", "RAW"});
                case "node" -> List.<String[]>of(new String[] {NODE, "RAW"});
                // -Dbench.javaApi=false: /_broadcast only (at N = 10,000 each kind opens all its subscribers anew)
                case "jcable" -> Boolean.parseBoolean(prop("javaApi", "true"))
                        ? List.of(new String[] {"jcable /_broadcast" + label, "JCABLE_HTTP"},
                                new String[] {"jcable Java API" + label, "JCABLE_JAVA"})
                        : List.<String[]>of(new String[] {"jcable /_broadcast" + label, "JCABLE_HTTP"});
                default -> throw new IllegalArgumentException(name);
            };
            try (Server server = switch (name) {
                case "bare" -> jakarta(bareWar, jvm());
                case "node" -> Server.node(cpus, Path.of(prop("nodeServer", "bench/node-ws-server.mjs")));
                default -> tag.isEmpty() ? jakarta(jcableWar, jcableOptions())
                        : jakarta(Wars.export(Wars.jcable(Path.of(prop("war." + tag, ""))), "jcable-" + tag + ".war"),
                                jcable(jvm(), tag));
            }) {
                // warm-up run (JIT, pools), not reported
                Fanout.Target first = new Fanout.Target(kinds.get(0)[0], Fanout.Kind.valueOf(kinds.get(0)[1]),
                        server.base(), SECRET);
                Fanout.run(ws, first, new Fanout.Settings(Math.min(ns[0], 250), 0, intProp("warmupMessages", 1000),
                        Math.max(rate, 50), size, inFlight), server::cpuNanos);
                for (int n : ns) {
                    for (String[] k : kinds) {
                        Fanout.Target t = new Fanout.Target(k[0], Fanout.Kind.valueOf(k[1]), server.base(), SECRET);
                        Fanout.Result r = Fanout.run(ws, t, new Fanout.Settings(n, warmup, messages, rate, size,
                                inFlight), server::cpuNanos);
                        System.err.println(k[0] + " N=" + n + ": " + r.latency() + " delivered "
                                + r.received() + "/" + r.expected() + String.format(Locale.ROOT,
                                " client cpu %.0f%% server cpu %.0f%%", 100 * r.clientCpu(), 100 * r.serverCpu())
                                + "; " + r.publisher());
                        results.computeIfAbsent(k[0], x -> new LinkedHashMap<>()).put(n, r);
                        Thread.sleep(1000);
                    }
                }
            }
        }

        out.append(String.format(Locale.ROOT, "Fan-out on %s (Node ws on the same core, same run): %d warm-up + %d "
                + "measured broadcasts per run on a fixed schedule, %d/s, %d-byte payload, at most %d publications "
                + "in flight; latency = receive time − scheduled send time, in ms.%n%n", server().label, warmup,
                messages, rate, size, inFlight));
        out.append("| server | N | p50 | p95 | p99 | max | delivered | server CPU | load-gen CPU |\n");
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (int n : ns) {
            for (var e : results.entrySet()) {
                Fanout.Result r = e.getValue().get(n);
                if (r != null) {
                    var l = r.latency();
                    out.append(String.format(Locale.ROOT, "| %s | %d | %.2f | %.2f | %.2f | %.2f | %.2f %% | %.0f %% "
                            + "| %.0f %% |%n", e.getKey(), n, l.p50(), l.p95(), l.p99(), l.max(),
                            100 * r.deliveredShare(), 100 * r.serverCpu(), 100 * r.clientCpu()));
                }
            }
        }
        out.append("\nThe publisher (all warm-up and measured broadcasts): did it keep its schedule, and how long did "
                + "a publication take to be answered, from its scheduled time (ms)?\n\n");
        out.append("| server | N | schedule kept | latest send late (ms) | in flight max | held by the bound | failed "
                + "| unanswered | publish p50 | p95 | p99 | max |\n|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (int n : ns) {
            for (var e : results.entrySet()) {
                Fanout.Result r = e.getValue().get(n);
                if (r != null) {
                    out.append(publisherRow(e.getKey() + " | " + n, r.publisher()));
                }
            }
        }
        Map<Integer, Fanout.Result> bare = results.get("bare @ServerEndpoint");
        Map<Integer, Fanout.Result> node = results.get(NODE);
        if (node != null) {
            out.append("\np95 and server CPU of each jcable target ÷ Node ws (same run):\n\n| target | N | p95 ÷ Node ws "
                    + "| CPU ÷ Node ws |\n|---|---:|---:|---:|\n");
            for (var e : results.entrySet()) {
                for (int n : ns) {
                    Fanout.Result r = e.getValue().get(n);
                    if (e.getKey().startsWith("jcable") && r != null && node.get(n) != null) {
                        out.append(String.format(Locale.ROOT, "| %s | %d | %s | %.1f× |%n", e.getKey(), n,
                                ratio(r.latency().p95(), node, n), r.serverCpu() / node.get(n).serverCpu()));
                    }
                }
            }
        }
        if (results.containsKey("jcable /_broadcast")) {
            out.append("\np95 and server CPU as ratios (same run):\n\n| N | /_broadcast ÷ Node ws | Java API ÷ Node ws "
                    + "| bare ÷ Node ws | /_broadcast ÷ bare | CPU /_broadcast ÷ Node ws |\n|---:|---:|---:|---:|---:|---:|\n");
            for (int n : ns) {
                Fanout.Result h = results.get("jcable /_broadcast").get(n);
                Map<Integer, Fanout.Result> java = results.get("jcable Java API");
                double j = java == null ? Double.NaN : java.get(n).latency().p95();
                out.append(String.format(Locale.ROOT, "| %d | %s | %s | %s | %s | %s |%n", n,
                        ratio(h.latency().p95(), node, n), ratio(j, node, n),
                        bare == null ? "–" : ratio(bare.get(n).latency().p95(), node, n), ratio(h.latency().p95(), bare, n),
                        node == null ? "–" : String.format(Locale.ROOT, "%.1f×", h.serverCpu() / node.get(n).serverCpu())));
            }
        }
    }

    static final String NODE = "Node ws 8.23.0";

    /** One row of a publisher table: {@code first} holds the leading cells. */
    static String publisherRow(String first, Schedule.Report p) {
        var r = p.response();
        return String.format(Locale.ROOT, "| %s | %s | %.1f | %d of %d | %d | %d | %d | %.2f | %.2f | %.2f | %.2f |%n",
                first, p.kept(SCHEDULE_TOLERANCE_MS) ? "yes" : "**no**", p.maxLateMicros() / 1000.0, p.maxOpen(),
                p.bound(), p.heldByBound(), p.failed(), p.unanswered(), r.p50(), r.p95(), r.p99(), r.max());
    }

    /** A send up to this late still counts as on schedule (timer and scheduling jitter of a busy load generator). */
    static final double SCHEDULE_TOLERANCE_MS = 10;

    private static String ratio(double p95, Map<Integer, Fanout.Result> base, int n) {
        if (base == null || base.get(n) == null || Double.isNaN(p95)) {
            return "–";
        }
        return String.format(Locale.ROOT, "%.2f×", p95 / base.get(n).latency().p95());
    }
}
