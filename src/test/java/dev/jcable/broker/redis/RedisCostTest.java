package dev.jcable.broker.redis;

import static dev.jcable.broker.redis.TestNode.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.broker.Publication;
import dev.jcable.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What one join, leave, broadcast, disconnect and presence request cost in Redis: round trips from the node (the
 * commands it sends) and the commands Redis runs for them (scripts included), read from {@code INFO commandstats}.
 * The figures are in docs/BENCHMARKS.md; the round trips are asserted here.
 */
class RedisCostTest {

    @RegisterExtension
    static final RedisServer.PerClass REDIS = new RedisServer.PerClass();
    private static RedisClient raw;
    private static RedisCommands<String, String> stats;

    @BeforeAll
    static void connectForStats() throws Exception {
        raw = RedisClient.create(REDIS.url());
        stats = raw.connect().sync();
    }

    @AfterAll
    static void disconnectStats() throws Exception {
        if (raw != null) {
            raw.shutdown();
        }
    }

    /** calls per command name, without the INFO and CONFIG commands of this measurement */
    private static Map<String, Long> calls() {
        Map<String, Long> calls = new TreeMap<>();
        for (String line : stats.info("commandstats").split("\r?\n")) {
            if (line.startsWith("cmdstat_")) {
                String name = line.substring(8, line.indexOf(':'));
                long n = Long.parseLong(line.replaceAll("^[^:]*:calls=(\\d+),.*", "$1"));
                if (!name.equals("info") && !name.startsWith("config")) {
                    calls.put(name, n);
                }
            }
        }
        return calls;
    }

    private static Map<String, Long> cost(Runnable operation) {
        stats.configResetstat();
        operation.run();
        return calls();
    }

    private static long total(Map<String, Long> calls) {
        return calls.values().stream().mapToLong(Long::longValue).sum();
    }

    @Test
    void oneRoundTripPerJoinLeaveBroadcastDisconnectAndPresenceRequest() throws Exception {
        try (TestNode node = new TestNode(REDIS.url(), "cost", TestNode.settings(Duration.ofSeconds(15), 100, 100,
                Duration.ofSeconds(300)))) {
            node.subscribe("room");
            // warm up: every script loaded, the stream and its meta exist, two members present
            node.broker.publish(new Publication("room", "warm"));
            node.broker.presenceAdd("room", "s0", "u0", null);
            node.broker.presenceAdd("room", "s9", "u9", null);
            node.broker.presenceRemove("room", "s9");
            node.broker.presenceInfo("room");
            node.broker.presenceAdd("room", "s8", "u8", null);
            node.broker.presenceDisconnected("s8");
            node.broker.touch();
            assertTrue(await(() -> node.events().size() >= 4, 5));

            Map<String, Map<String, Long>> costs = new HashMap<>();
            costs.put("join (new member)", cost(() -> node.broker.presenceAdd("room", "s1", "u1", "{\"a\":1}")));
            costs.put("join (known id, 2nd session)", cost(() -> node.broker.presenceAdd("room", "s2", "u1", null)));
            costs.put("leave (not the last session)", cost(() -> node.broker.presenceRemove("room", "s2")));
            costs.put("leave (last session)", cost(() -> node.broker.presenceRemove("room", "s1")));
            costs.put("broadcast", cost(() -> node.broker.publish(new Publication("room", "hello"))));
            costs.put("presence info", cost(() -> node.broker.presenceInfo("room")));
            node.broker.presenceAdd("room", "s3", "u3", null);
            costs.put("disconnect (one stream)", cost(() -> node.broker.presenceDisconnected("s3")));
            costs.put("renewal (one stream, one session)", cost(node.broker::touch));
            costs.forEach((what, calls) -> System.out.println("redis cost: " + what + ": " + calls.getOrDefault(
                    "evalsha", 0L) + " round trip(s), " + total(calls) + " Redis commands " + calls));
            costs.forEach((what, calls) -> assertEquals(1L, calls.getOrDefault("evalsha", 0L), what));
            costs.forEach((what, calls) -> assertTrue(calls.entrySet().stream().allMatch(e -> e.getValue() == 0
                    || e.getKey().equals("evalsha") || isScriptCommand(e.getKey())),
                    what + ": nothing but the script is sent " + calls));
        }
    }

    /** Commands the scripts run inside Redis (no round trip of their own). */
    private static boolean isScriptCommand(String name) {
        return java.util.Set.of("time", "set", "get", "incr", "pttl", "hget", "hset", "hdel", "hexists", "hincrby", "hmget", "zadd", "zrem",
                "zrange", "zrangebyscore", "zcard", "zscore", "xadd", "xrange", "xdel", "pexpire", "publish", "del")
                .contains(name);
    }
}
