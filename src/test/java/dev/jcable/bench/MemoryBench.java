package dev.jcable.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Memory per idle connection: 1,000 / 5,000 / 10,000 ext-protocol connections (or the steps of
 * {@code -Dbench.connections}, up to 18,000 for the cost curve), each subscribed to a signed stream (ten connections
 * per stream) and joined to its presence. Process RSS and heap after a full GC, over the idle baseline; the connect
 * rate of each step, the server's open files and threads. The bare endpoint (connections only) is measured the same way for the container's own share, and the
 * Node ws server (connections only; its heap is V8's after a forced GC) as the reference.
 */
final class MemoryBench {

    /** Connections per stream ({@code -Dbench.perStream}, 10 by default; 1: each its own stream and presence). */
    private static final int PER_STREAM = Integer.parseInt(Bench.prop("perStream", "10"));

    private MemoryBench() {
    }

    static void run(StringBuilder out) throws Exception {
        int[] steps = Arrays.stream(Bench.prop("connections", "1000,5000,10000").split(","))
                .mapToInt(Integer::parseInt).toArray();
        List<String> targets = Arrays.asList(Bench.prop("targets", "jcable,bare,node").split(","));
        String cpus = Bench.prop("serverCpus", "0");
        out.append("Memory per idle connection on " + Bench.server().label + " (jcable: ext protocol, subscribed to a "
                + "signed stream of " + PER_STREAM + " connection(s) and joined to its presence; bare and Node ws: "
                + "open WebSocket only). Heap after full GC; JVM options: the kit's `" + Bench.prop("memoryOpts",
                "-Xms" + Bench.prop("heap", "1g") + ",-Xmx" + Bench.prop("heap", "1g") + ",-XX:+UseSerialGC")
                + "`, `:jvm` `" + JVM_DEFAULTS + "`, `:tuned` `" + Bench.tunedOpts() + "`, `:g1` `" + Bench.g1Opts()
                + "` (Node: V8 heap used after "
                + "gc()). Connect rate: connections opened, subscribed and joined per second while opening the step "
                + "(64 at once).\n\n");
        out.append("| server | connections | heap after GC (MB) | KB/conn (heap) | RSS (MB) | KB/conn (RSS) | idle CPU "
                + "| connect rate (/s) | open files | threads |\n");
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        StringBuilder csv = new StringBuilder("server,target,connections,heap_kb,rss_kb,heap_kb_per_conn,"
                + "rss_kb_per_conn,idle_cpu_pct,connect_per_s,open_files,threads\n");
        for (String target : targets) {
            // <kind>[:<options>]: the kit's heap and collector options, :jvm the JVM's defaults (G1, heap sized by
            // the JVM), :tuned the ones docs/deploy.md recommends; one run compares them
            String kind = target.contains(":") ? target.substring(0, target.indexOf(':')) : target;
            String set = target.contains(":") ? target.substring(target.indexOf(':') + 1) : "";
            // jcable-nopings: jcable without its pings (the client's ?pi=0, enable_native_pings=false), for what
            // the pings cost an idle node; jcable-nonative: the server's enable_native_pings=false (JSON pings
            // only); jcable-pi0: the server's ping_interval=0 (no pings, the liveness check still runs).
            // <kind>@before: the same with the WAR of -Dbench.war.before (a before/after comparison in one run).
            String war = kind.contains("@") ? Bench.prop("war." + kind.substring(kind.indexOf('@') + 1), "") : null;
            kind = kind.contains("@") ? kind.substring(0, kind.indexOf('@')) : kind;
            boolean cable = kind.startsWith("jcable");
            boolean pings = !kind.equals("jcable-nopings");
            boolean node = kind.equals("node");
            String memory = switch (set) {
                case "" -> null;
                case "jvm" -> JVM_DEFAULTS;
                case "tuned" -> Bench.tunedOpts();
                case "g1" -> Bench.g1Opts();
                default -> throw new IllegalArgumentException("options: :jvm, :tuned or :g1, not " + set);
            };
            String[] extra = switch (kind) {
                case "jcable-nopings", "jcable-nonative" -> new String[] {"-Danycable.enable_native_pings=false"};
                case "jcable-pi0" -> new String[] {"-Danycable.ping_interval=0"};
                default -> new String[0];
            };
            List<String> jvm = memory == null ? Bench.jvm(extra) : Bench.jvmWith(memory, extra);
            HttpClient ws = Conn.client();
            List<Conn> conns = new ArrayList<>();
            try (Server server = node ? Server.node(cpus, Path.of(Bench.prop("nodeServer", "bench/node-ws-server.mjs")))
                    : Bench.jakarta(cable ? Wars.export(Wars.jcable(war != null ? Path.of(war) : Bench.jcableWar()),
                    "jcable-bench.war")
                    : Wars.export(Wars.bare(), "bare.war"), cable ? Bench.jcable(jvm) : jvm)) {
                URI uri = URI.create("ws://127.0.0.1:" + server.base().getPort() + (cable ? "/cable" : "/ws")
                        + (pings ? "" : "?pi=0"));
                // warm the code paths once, then the idle baseline
                // (other ids and streams: a re-join of the same id within presence_ttl emits no event)
                List<Conn> warm = open(ws, uri, cable, 1_000_000, 200);
                warm.forEach(Conn::abort);
                Thread.sleep(3000);
                long heap0 = node ? nodeHeapKb(server) : server.heapAfterGcKb();
                long rss0 = server.rssKb();
                heap0 = histogram(server, node, target, 0, heap0);
                Reading base = new Reading(0, heap0, rss0, idleCpu(server, node), 0, server);
                out.append(row(target, base, base));
                csv.append(base.csv(target, base));
                System.err.println(target + " baseline heap " + heap0 + " KB rss " + rss0 + " KB");
                for (int step : steps) {
                    int opened = step - conns.size();
                    long t0 = System.nanoTime();
                    try {
                        conns.addAll(open(ws, uri, cable, conns.size(), opened));
                    } catch (Exception e) {
                        // a server that stops accepting is a result too: say where, keep the other targets
                        System.err.println(target + " " + step + ": failed while opening: " + e);
                        out.append(String.format(Locale.ROOT, "| %s | %d | failed while opening, %d open files: %s "
                                + "| | | | | | | |%n", target, step, server.openFiles(), e.getMessage()));
                        break;
                    }
                    double rate = 1e9 * opened / (System.nanoTime() - t0);
                    Thread.sleep(Long.parseLong(Bench.prop("settleMs", "3000")));
                    // the idle window first, then the heap: read right after a step, two back-to-back collections
                    // still left objects a later one freed (Payara, 10,000: 25 KB per new connection more)
                    double cpu = idleCpu(server, node);
                    idleProfile(server, node, target, step);
                    long heap = node ? nodeHeapKb(server) : server.heapAfterGcKb();
                    long rss = server.rssKb();
                    // with histograms kept, the live heap is the histogram's total: its collection comes after
                    // heapAfterGcKb's, and on Payara at 5,000 it found 62 MB fewer live objects than those two
                    heap = histogram(server, node, target, step, heap); // every step: diff two steps
                    System.err.println(target + " " + step + ": heap " + heap + " KB rss " + rss + " KB, opened at "
                            + Math.round(rate) + "/s, " + server.openFiles() + " open files, idle CPU " + cpu + " %");
                    Reading r = new Reading(step, heap, rss, cpu, rate, server);
                    out.append(row(target, r, base));
                    csv.append(r.csv(target, base));
                }
                // RSS should follow the live set down again: every connection closed, what does the process keep?
                conns.forEach(Conn::abort);
                conns.clear();
                // (no forced GC for a while first: what the collector gives back by itself, e.g. G1's periodic GC)
                Thread.sleep(Long.parseLong(Bench.prop("closedWaitMs", "20000")));
                long rssUnforced = server.rssKb();
                long heapClosed = node ? nodeHeapKb(server) : server.heapAfterGcKb();
                long rssClosed = server.rssKb();
                System.err.println(target + " all closed: rss " + rssUnforced + " KB, after forced GC heap "
                        + heapClosed + " KB rss " + rssClosed + " KB");
                out.append(String.format(Locale.ROOT, "| %s | all closed | %.1f | | %.1f (%.1f before a forced GC) "
                        + "| | | | | |%n", target, heapClosed / 1024.0, rssClosed / 1024.0, rssUnforced / 1024.0));
            } finally {
                conns.forEach(Conn::abort);
            }
        }
        // -Dbench.csv=<file>: the rows as CSV, for bench/cost-curve.mjs (the chart in BENCHMARKS.md)
        String file = Bench.prop("csv", "");
        if (!file.isEmpty()) {
            java.nio.file.Files.writeString(Path.of(file), csv);
        }
    }

    /** The JVM's own defaults but for the collector named: G1, the heap sized by the JVM (a quarter of the RAM). */
    static final String JVM_DEFAULTS = "-XX:+UseG1GC";

    /** One reading: at {@code n} connections, heap and RSS in KB, idle CPU, the connect rate of the step. */
    private record Reading(int n, long heap, long rss, double cpu, double rate, long files, long threads) {
        Reading(int n, long heap, long rss, double cpu, double rate, Server server) throws java.io.IOException {
            this(n, heap, rss, cpu, rate, server.openFiles(), server.threads());
        }

        String csv(String target, Reading base) {
            return String.format(Locale.ROOT, "%s,%s,%d,%d,%d,%s,%s,%s,%s,%d,%d%n", Bench.server().name()
                    .toLowerCase(Locale.ROOT), target, n, heap, rss, n == 0 ? "" : String.format(Locale.ROOT, "%.2f",
                    (double) (heap - base.heap) / n), n == 0 ? "" : String.format(Locale.ROOT, "%.2f",
                    (double) (rss - base.rss) / n), cpu < 0 ? "" : String.format(Locale.ROOT, "%.1f", cpu),
                    n == 0 ? "" : String.format(Locale.ROOT, "%.0f", rate), files, threads);
        }
    }

    /**
     * With {@code -Dbench.histograms=<dir>}, keeps the server's class histogram as
     * {@code <dir>/histogram-<target>-<connections>.txt}: diff two of them to see what a connection holds. Returns
     * the histogram's total in KB (the live heap after its collection), or {@code heap} when none is kept.
     */
    private static long histogram(Server server, boolean node, String target, int connections, long heap)
            throws Exception {
        String dir = Bench.prop("histograms", "");
        if (dir.isEmpty() || node) {
            return heap;
        }
        String histogram = server.histogram();
        java.nio.file.Files.writeString(Path.of(dir, "histogram-" + target + "-" + connections + ".txt"), histogram);
        java.util.regex.Matcher total = java.util.regex.Pattern.compile("(?m)^Total\\s+\\d+\\s+(\\d+)")
                .matcher(histogram);
        return total.find() ? Long.parseLong(total.group(1)) / 1024 : heap;
    }

    /** The Node server's V8 heap in use after a forced GC, in KB (GET /memory). */
    private static long nodeHeapKb(Server server) throws Exception {
        String json = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(java.net.http.HttpRequest.newBuilder(
                server.base().resolve("memory")).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        return Payload.field(json, "\"heapUsed\":") / 1024;
    }

    private static String row(String target, Reading r, Reading base) {
        boolean first = r.n == 0;
        return String.format(Locale.ROOT, "| %s | %d | %.1f | %s | %.1f | %s | %s | %s | %d | %d |%n", target, r.n,
                r.heap / 1024.0, first ? "baseline" : String.format(Locale.ROOT, "%.1f",
                        (double) (r.heap - base.heap) / r.n), r.rss / 1024.0, first ? "baseline"
                        : String.format(Locale.ROOT, "%.1f", (double) (r.rss - base.rss) / r.n),
                r.cpu < 0 ? "" : String.format(Locale.ROOT, "%.1f %%", r.cpu),
                first ? "" : String.format(Locale.ROOT, "%.0f", r.rate), r.files, r.threads);
    }

    /**
     * The server's CPU, in % of one core, while its connections sit idle for {@code -Dbench.idleMs} (9 s by default:
     * three of jcable's 3-s ping rounds); -1 for Node or with {@code idleMs=0}. The clients answer nothing but
     * WebSocket pings (the JDK client's pongs), so this is the pings' cost and the container's own timers.
     */
    private static double idleCpu(Server server, boolean node) throws InterruptedException {
        long ms = Long.parseLong(Bench.prop("idleMs", "9000"));
        if (node || ms <= 0) {
            return -1;
        }
        long before = server.cpuNanos();
        Thread.sleep(ms);
        return 100.0 * (server.cpuNanos() - before) / (ms * 1_000_000.0);
    }

    /**
     * With {@code -Dbench.idleJfr=<dir>}, a second idle window of {@code idleMs} under JFR (its profile settings),
     * after the measured one so that the recording's own cost is not in the figure:
     * {@code <dir>/idle-<target>-<connections>.jfr}.
     */
    private static void idleProfile(Server server, boolean node, String target, int connections) throws Exception {
        String dir = Bench.prop("idleJfr", "");
        long ms = Long.parseLong(Bench.prop("idleMs", "9000"));
        if (dir.isEmpty() || node || ms <= 0) {
            return;
        }
        Path file = Path.of(dir, "idle-" + target.replace(':', '-').replace('@', '-') + "-" + connections + ".jfr")
                .toAbsolutePath();
        server.jcmd("JFR.start name=idle settings=profile");
        Thread.sleep(ms);
        server.jcmd("JFR.stop name=idle filename=" + file);
    }

    /** Opens {@code count} connections numbered from {@code from}; each is ready once subscribed and joined. */
    static List<Conn> open(HttpClient ws, URI uri, boolean cable, int from, int count) throws Exception {
        CountDownLatch ready = new CountDownLatch(count);
        List<Conn> conns = Conn.openAll(ws, uri, cable ? "actioncable-v1-ext-json" : null, from, count, 64, i -> {
            Cable.Member member = new Cable.Member(Cable.identifier(Bench.SECRET, "bench/mem/" + (i / PER_STREAM)),
                    "u" + i);
            return (conn, frame) -> {
                if (!cable) {
                    if (frame.startsWith("{\"hello\"")) {
                        ready.countDown();
                    }
                } else {
                    member.step(conn, frame, ready);
                }
            };
        });
        if (!ready.await(Math.max(120, count / 20), TimeUnit.SECONDS)) { // 20 a second at least
            throw new IllegalStateException(ready.getCount() + " of " + count + " connections not ready");
        }
        return conns;
    }
}
