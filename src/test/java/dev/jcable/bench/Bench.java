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
 * The benchmark driver: {@code java … dev.jcable.bench.Bench fanout|memory|churn|cluster}. It starts each server itself
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
            default -> throw new IllegalArgumentException("fanout | memory | churn | cluster");
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

    static Path microJar() {
        return Path.of(prop("microJar", "target/payara-micro.jar"));
    }

    static Path jcableWar() {
        return Path.of(prop("war", "target/jcable.war"));
    }

    /** JVM options of every Payara Micro under test: the same for jcable and the bare endpoint. */
    static List<String> jvm(String... extra) {
        List<String> options = new ArrayList<>(List.of("-Xms" + prop("heap", "1g"), "-Xmx" + prop("heap", "1g"),
                "-XX:+UseSerialGC"));
        options.addAll(Arrays.asList(extra));
        String more = prop("jvmOpts", "");
        if (!more.isBlank()) {
            options.addAll(Arrays.asList(more.trim().split("\\s+")));
        }
        return options;
    }

    static List<String> jcableOptions(String... extra) {
        List<String> options = jvm(extra);
        options.add("-Danycable.secret=" + SECRET);
        String jfr = prop("jfr", "");
        if (!jfr.isEmpty()) {
            options.add("-XX:StartFlightRecording=filename=" + jfr + ",settings=profile,dumponexit=true");
        }
        return options;
    }

    private static void fanout(StringBuilder out) throws Exception {
        int[] ns = Arrays.stream(prop("n", "250,500,1000,2000").split(",")).mapToInt(Integer::parseInt).toArray();
        int warmup = intProp("warmup", 20);
        int messages = intProp("messages", 100);
        int rate = intProp("rate", 20);
        int size = intProp("payload", 200);
        String cpus = prop("serverCpus", "0");
        List<String> targets = Arrays.asList(prop("targets", "bare,node,jcable").split(","));
        Path jcableWar = Wars.export(Wars.jcable(jcableWar()), "jcable-bench.war");
        Path bareWar = Wars.export(Wars.bare(), "bare.war");
        HttpClient ws = Conn.client();

        Map<String, Map<Integer, Fanout.Result>> results = new LinkedHashMap<>();
        for (String name : targets) {
            List<String[]> kinds = switch (name) {
                case "bare" -> List.<String[]>of(new String[] {"bare @ServerEndpoint", "RAW"});
                case "node" -> List.<String[]>of(new String[] {"Node ws 8.23.0", "RAW"});
                case "jcable" -> List.of(new String[] {"jcable /_broadcast", "JCABLE_HTTP"},
                        new String[] {"jcable Java API", "JCABLE_JAVA"});
                default -> throw new IllegalArgumentException(name);
            };
            try (Server server = switch (name) {
                case "bare" -> Server.payara(cpus, microJar(), bareWar, jvm());
                case "node" -> Server.node(cpus, Path.of(prop("nodeServer", "bench/node-ws-server.mjs")));
                default -> Server.payara(cpus, microJar(), jcableWar, jcableOptions());
            }) {
                // warm-up run (JIT, pools), not reported
                Fanout.Target first = new Fanout.Target(kinds.get(0)[0], Fanout.Kind.valueOf(kinds.get(0)[1]),
                        server.base(), SECRET);
                Fanout.run(ws, first, new Fanout.Settings(ns[0], 0, intProp("warmupMessages", 200),
                        Math.max(rate, 50), size), server::cpuNanos);
                for (int n : ns) {
                    for (String[] k : kinds) {
                        Fanout.Target t = new Fanout.Target(k[0], Fanout.Kind.valueOf(k[1]), server.base(), SECRET);
                        Fanout.Result r = Fanout.run(ws, t, new Fanout.Settings(n, warmup, messages, rate, size),
                                server::cpuNanos);
                        System.err.println(k[0] + " N=" + n + ": " + r.latency() + " delivered "
                                + r.received() + "/" + r.expected() + String.format(Locale.ROOT,
                                " client cpu %.0f%% server cpu %.0f%%", 100 * r.clientCpu(), 100 * r.serverCpu()));
                        results.computeIfAbsent(k[0], x -> new LinkedHashMap<>()).put(n, r);
                        Thread.sleep(1000);
                    }
                }
            }
        }

        out.append(String.format(Locale.ROOT, "Fan-out: %d warm-up + %d measured broadcasts per run, %d/s, "
                + "%d-byte payload; latency in ms.%n%n", warmup, messages, rate, size));
        out.append("| server | N | p50 | p95 | p99 | max | delivered | server CPU | load-gen CPU |\n");
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (int n : ns) {
            for (var e : results.entrySet()) {
                Fanout.Result r = e.getValue().get(n);
                if (r == null) {
                    continue;
                }
                var l = r.latency();
                out.append(String.format(Locale.ROOT, "| %s | %d | %.2f | %.2f | %.2f | %.2f | %.2f %% | %.0f %% | %.0f %% |%n",
                        e.getKey(), n, l.p50(), l.p95(), l.p99(), l.max(), 100 * r.deliveredShare(),
                        100 * r.serverCpu(), 100 * r.clientCpu()));
            }
        }
        Map<Integer, Fanout.Result> bare = results.get("bare @ServerEndpoint");
        Map<Integer, Fanout.Result> node = results.get("Node ws 8.23.0");
        if (results.containsKey("jcable /_broadcast")) {
            out.append("\njcable p95 as a ratio (same run):\n\n| N | /_broadcast ÷ bare | /_broadcast ÷ Node ws "
                    + "| Java API ÷ bare | Java API ÷ Node ws |\n|---:|---:|---:|---:|---:|\n");
            for (int n : ns) {
                double h = results.get("jcable /_broadcast").get(n).latency().p95();
                double j = results.get("jcable Java API").get(n).latency().p95();
                out.append(String.format(Locale.ROOT, "| %d | %s | %s | %s | %s |%n", n, ratio(h, bare, n),
                        ratio(h, node, n), ratio(j, bare, n), ratio(j, node, n)));
            }
        }
    }

    private static String ratio(double p95, Map<Integer, Fanout.Result> base, int n) {
        if (base == null || base.get(n) == null) {
            return "–";
        }
        return String.format(Locale.ROOT, "%.2f×", p95 / base.get(n).latency().p95());
    }
}
