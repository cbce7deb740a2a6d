package dev.jcable.bench;

import dev.jcable.testsupport.RedisServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Fan-out with {@code broker=redis}: one node with the memory broker, one node on Redis, and two nodes on the same
 * Redis with the subscribers split between them (published on the first), in the same run. All servers share the
 * server core(s); Redis (a redis-server this run starts, without persistence) and the load generator share the
 * other. Latency is publish (HTTP) to delivery, as in {@link Fanout}.
 */
final class ClusterBench {

    /** label, broker, nodes */
    private static final String[][] SETUPS = {
        {"1 node, memory broker", "memory", "1"},
        {"1 node, broker=redis", "redis", "1"},
        {"2 nodes, broker=redis, subscribers split", "redis", "2"}};

    private ClusterBench() {
    }

    static void run(StringBuilder out) throws Exception {
        int[] ns = Arrays.stream(Bench.prop("n", "500,1000,2000").split(",")).mapToInt(Integer::parseInt).toArray();
        int warmup = Bench.intProp("warmup", 20);
        int messages = Bench.intProp("messages", 100);
        int rate = Bench.intProp("rate", 20);
        int size = Bench.intProp("payload", 200);
        int inFlight = Bench.intProp("maxInFlight", 64);
        String cpus = Bench.prop("serverCpus", "0");
        Path war = Wars.export(Wars.jcable(Bench.jcableWar()), "jcable-bench.war");
        HttpClient ws = Conn.client();
        Map<String, Map<Integer, Fanout.Result>> results = new LinkedHashMap<>();
        try (RedisServer redis = RedisServer.startNew()) {
            int prefix = 0;
            for (String[] setup : SETUPS) {
                List<String> options = new ArrayList<>(List.of("-Danycable.broker=" + setup[1]));
                if (setup[1].equals("redis")) {
                    options.add("-Danycable.redis_url=" + redis.url());
                    options.add("-Danycable.redis_prefix=bench" + prefix++); // each setup its own streams
                }
                List<Server> servers = new ArrayList<>();
                try {
                    for (int i = 0; i < Integer.parseInt(setup[2]); i++) {
                        servers.add(Bench.healthy(Server.jakarta(Server.Kind.PAYARA, cpus, war,
                                Bench.jcableOptions(options.toArray(String[]::new)))));
                    }
                    List<URI> bases = servers.stream().map(Server::base).toList();
                    Fanout.Target target = new Fanout.Target(setup[0], Fanout.Kind.JCABLE_HTTP, bases.get(0),
                            Bench.SECRET, bases);
                    java.util.function.LongSupplier cpu = () -> servers.stream().mapToLong(Server::cpuNanos).sum();
                    Fanout.run(ws, target, new Fanout.Settings(ns[0], 0, Bench.intProp("warmupMessages", 200),
                            Math.max(rate, 50), size, inFlight), cpu); // warm-up (JIT, pools), not reported
                    for (int n : ns) {
                        Fanout.Result r = Fanout.run(ws, target,
                                new Fanout.Settings(n, warmup, messages, rate, size, inFlight), cpu);
                        System.err.println(setup[0] + " N=" + n + ": " + r.latency() + " delivered " + r.received()
                                + "/" + r.expected());
                        results.computeIfAbsent(setup[0], x -> new LinkedHashMap<>()).put(n, r);
                        Thread.sleep(1000);
                    }
                } finally {
                    for (Server server : servers) {
                        server.close();
                    }
                }
            }
        }
        out.append(String.format(Locale.ROOT, "Cluster fan-out: %d warm-up + %d measured broadcasts per run, %d/s, "
                + "%d-byte payload, published with POST /_broadcast on the first node; latency in ms.%n%n",
                warmup, messages, rate, size));
        out.append("| setup | N | p50 | p95 | p99 | max | delivered | servers' CPU | load-gen CPU |\n");
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (int n : ns) {
            for (var e : results.entrySet()) {
                Fanout.Result r = e.getValue().get(n);
                var l = r.latency();
                out.append(String.format(Locale.ROOT, "| %s | %d | %.2f | %.2f | %.2f | %.2f | %.2f %% | %.0f %% | %.0f %% |%n",
                        e.getKey(), n, l.p50(), l.p95(), l.p99(), l.max(), 100 * r.deliveredShare(),
                        100 * r.serverCpu(), 100 * r.clientCpu()));
            }
        }
        out.append("\np95 as a ratio to one node with the memory broker (same run):\n\n| N | 1 node, redis | 2 nodes, redis |\n"
                + "|---:|---:|---:|\n");
        Map<Integer, Fanout.Result> base = results.get(SETUPS[0][0]);
        for (int n : ns) {
            double memory = base.get(n).latency().p95();
            out.append(String.format(Locale.ROOT, "| %d | %.2f× | %.2f× |%n", n,
                    results.get(SETUPS[1][0]).get(n).latency().p95() / memory,
                    results.get(SETUPS[2][0]).get(n).latency().p95() / memory));
        }
    }
}
