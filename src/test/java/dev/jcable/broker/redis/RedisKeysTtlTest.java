package dev.jcable.broker.redis;

import static dev.jcable.broker.redis.TestNode.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.broker.BrokerSettings;
import dev.jcable.broker.CachedSession;
import dev.jcable.broker.Publication;
import dev.jcable.testsupport.RedisServer;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every key jcable writes has a TTL (issue 20: "jcable's keys never left without a TTL"): after a workload of every
 * kind of write, a SCAN of the prefix finds no key whose PTTL is -1 (persistent).
 */
class RedisKeysTtlTest {

    @RegisterExtension
    static final RedisServer.PerClass REDIS = new RedisServer.PerClass();

    @Test
    void noKeyOfJcablesIsLeftWithoutATtl() throws Exception {
        BrokerSettings settings = new BrokerSettings(Duration.ofSeconds(2), 100, 100, Duration.ofSeconds(300),
                Duration.ofSeconds(300), 1_000_000);
        try (TestNode a = TestNode.tracking(REDIS.url(), "ttl", settings);
             TestNode b = TestNode.tracking(REDIS.url(), "ttl", settings)) {
            a.subscribe("room"); // with occupancy tracked (Pusher mode): its keys too
            b.subscribe("room");
            for (int i = 0; i < 5; i++) {
                a.broker.publish(new Publication("room", "m" + i));
            }
            a.broker.whisper(new Publication("room", "w"));
            a.broker.presenceAdd("room", "s1", "u1", "{\"n\":1}");
            b.broker.presenceAdd("room", "s2", "u2", null);
            b.broker.presenceAdd("other", "s2", "u2", null);
            a.broker.presenceRemove("room", "s1");
            b.broker.presenceDisconnected("s2");
            a.broker.cacheSession("sid-1", new CachedSession("{\"user\":\"1\"}", Map.of()));
            assertTrue(await(() -> a.events().size() >= 5 && b.events().size() >= 5, 5));
            // a and b subscribed one after the other; whichever's add reached Redis first reports the edge
            assertTrue(await(() -> a.changes().contains("occupied room") || b.changes().contains("occupied room"), 5),
                    a.changes() + " / " + b.changes());
            a.broker.touchOccupancy();
            Map<String, Long> persistent = persistentKeys();
            assertEquals(Map.of(), persistent, "keys without a TTL (PTTL -1)");
        }
    }

    /**
     * Presence keys carry a TTL, so any evicting policy (volatile-* as well as allkeys-*) can evict them: a node warns
     * at connect unless the policy is noeviction.
     */
    @Test
    void anEvictingPolicyIsWarnedOfAtConnect() throws Exception {
        List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger(RedisLink.class.getName());
        java.util.logging.Handler handler = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                if (record.getLevel() == java.util.logging.Level.WARNING
                        && record.getMessage().contains("maxmemory-policy")) {
                    warnings.add(record.getMessage());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(handler);
        RedisClient client = RedisClient.create(REDIS.url());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            BrokerSettings settings = new BrokerSettings(Duration.ofSeconds(2), 100, 100, Duration.ofSeconds(300),
                    Duration.ofSeconds(300), 1_000_000);
            connection.sync().configSet("maxmemory-policy", "noeviction");
            try (TestNode quiet = new TestNode(REDIS.url(), "evict", settings)) {
                assertEquals(List.of(), warnings);
            }
            connection.sync().configSet("maxmemory-policy", "volatile-lru");
            try (TestNode warned = new TestNode(REDIS.url(), "evict", settings)) {
                assertTrue(await(() -> warnings.size() == 1, 5), warnings.toString());
                assertTrue(warnings.get(0).contains("volatile-lru") && warnings.get(0).contains("noeviction"),
                        warnings.get(0));
            }
        } finally {
            connection(client);
            logger.removeHandler(handler);
        }
    }

    private static void connection(RedisClient client) {
        try (StatefulRedisConnection<String, String> reset = client.connect()) {
            reset.sync().configSet("maxmemory-policy", "noeviction");
        } finally {
            client.shutdown();
        }
    }

    private static Map<String, Long> persistentKeys() {
        RedisClient client = RedisClient.create(REDIS.url());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            RedisCommands<String, String> redis = connection.sync();
            Map<String, Long> found = new TreeMap<>();
            List<String> all = new ArrayList<>();
            ScanCursor cursor = ScanCursor.INITIAL;
            do {
                KeyScanCursor<String> page = redis.scan(cursor, ScanArgs.Builder.limit(1000));
                all.addAll(page.getKeys());
                cursor = page;
            } while (!cursor.isFinished());
            for (String key : all) {
                long ttl = redis.pttl(key);
                if (ttl == -1) {
                    found.put(key + " (" + redis.type(key) + ")", ttl);
                }
            }
            System.out.println("RedisKeysTtlTest: " + all.size() + " keys: " + all);
            return found;
        } finally {
            client.shutdown();
        }
    }
}
