package dev.jcable.broker.redis;

import static dev.jcable.broker.redis.TestNode.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.broker.BrokerSettings;
import dev.jcable.broker.CachedSession;
import dev.jcable.streams.StreamSpec;
import dev.jcable.testsupport.RedisServer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Restorable sessions across nodes, and the client's lifecycle, against a real redis-server. */
class RedisSessionsTest {

    @RegisterExtension
    static final RedisServer.PerClass REDIS = new RedisServer.PerClass();

    private static BrokerSettings sessionsTtl(Duration ttl) {
        return new BrokerSettings(Duration.ofSeconds(15), 100, 100, Duration.ofSeconds(300), ttl, 1_000_000);
    }

    @Test
    void aSessionCachedOnOneNodeIsRestoredOnAnotherUntilSessionsTtl() throws Exception {
        Map<String, StreamSpec> subscriptions = new LinkedHashMap<>();
        subscriptions.put("{\"channel\":\"$pubsub\",\"stream_name\":\"b\"}", new StreamSpec("b", true, false));
        subscriptions.put("{\"channel\":\"$pubsub\",\"stream_name\":\"a\"}", new StreamSpec("a", false, true));
        CachedSession session = new CachedSession("{\"user\":\"42\"}", subscriptions);
        try (TestNode a = new TestNode(REDIS.url(), "s1", sessionsTtl(Duration.ofMillis(800)));
             TestNode b = new TestNode(REDIS.url(), "s1", sessionsTtl(Duration.ofMillis(800)))) {
            a.broker.cacheSession("sid-1", session);
            a.broker.cacheSession("sid-2", new CachedSession(null, Map.of()));
            Optional<CachedSession> restored = b.broker.restoreSession("sid-1");
            assertEquals(Optional.of(session), restored);
            assertEquals(List.copyOf(subscriptions.keySet()), List.copyOf(restored.get().subscriptions().keySet()),
                    "in subscription order");
            assertEquals(Optional.of(session), b.broker.restoreSession("sid-1"), "restorable more than once");
            assertEquals(Optional.of(new CachedSession(null, Map.of())), b.broker.restoreSession("sid-2"));
            assertEquals(Optional.empty(), b.broker.restoreSession("sid-unknown"));
            assertTrue(await(() -> b.broker.restoreSession("sid-1").isEmpty(), 5), "gone after sessions_ttl");
        }
    }

    @Test
    void aPrefixKeepsTwoApplicationsApart() throws Exception {
        try (TestNode app1 = new TestNode(REDIS.url(), "app1", sessionsTtl(Duration.ofSeconds(60)));
             TestNode app2 = new TestNode(REDIS.url(), "app2", sessionsTtl(Duration.ofSeconds(60)))) {
            app1.broker.cacheSession("sid", new CachedSession("{}", Map.of()));
            app1.broker.presenceAdd("room", "s1", "u1", null);
            app2.subscribe("room");
            app1.broker.publish(new dev.jcable.broker.Publication("room", "hello"));
            assertEquals(Optional.empty(), app2.broker.restoreSession("sid"));
            assertEquals(0, app2.broker.presenceInfo("room").total());
            assertEquals(List.of(), app2.broker.historySince("room", 0, 10));
            assertFalse(await(() -> !app2.events().isEmpty(), 0.5), app2.events().toString());
        }
    }

    @Test
    void stoppingTheBrokerEndsEveryThreadItsClientStarted() throws Exception {
        TestNode node = new TestNode(REDIS.url(), "s3", sessionsTtl(Duration.ofSeconds(60)));
        node.subscribe("room");
        node.broker.publish(new dev.jcable.broker.Publication("room", "x"));
        assertTrue(await(() -> node.events().size() == 1, 5));
        List<Thread> started;
        synchronized (node.threads) {
            started = List.copyOf(node.threads);
        }
        assertFalse(started.isEmpty(), "the client's threads come from the given factory");
        node.close();
        assertTrue(await(() -> started.stream().noneMatch(Thread::isAlive), 5),
                started.stream().filter(Thread::isAlive).map(Thread::getName).toList().toString());
    }
}
