package dev.jcable.broker.redis;

import static dev.jcable.broker.redis.TestNode.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.protocol.PresenceInfo;
import dev.jcable.testsupport.RedisServer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 20, 4: Redis hangs ({@code SIGSTOP}) for longer than the lease. When it answers again every deadline has
 * passed, but the members of live sessions must not leave (and join again): renewal comes before any sweep after a
 * gap. With the lease at its floor (2 s), hangs of 2 and 4 leases stand for 30 and 60 s with the default 15 s. A member
 * whose node died before the hang still leaves, once.
 */
class RedisHangTest {


    @ParameterizedTest
    @ValueSource(ints = {2, 4})
    void aHangLongerThanTheLeaseLeavesLiveMembersAloneAndTheDeadOneLeavesOnce(int leases) throws Exception {
        String prefix = "h" + leases;
        try (RedisServer redis = RedisServer.startNew()) { // its own: a hung server is no one else's
            hang(redis, prefix, leases);
        }
    }

    /**
     * The race a hang or an outage opens, made deterministic: no sweep ran for 10 s (the index's alive time set back)
     * and every deadline has passed (set back too), as after a 10-s gap with a 2-s lease. The first sweep after it
     * (here another node's, before the live member's node renewed) must expire nothing; once the live node renewed
     * and the grace ended, the dead member leaves, once, and the live one stays.
     */
    @org.junit.jupiter.api.Test
    void theFirstSweepAfterAGapExpiresNothingUntilTheLiveNodesRenewed() throws Exception {
        try (RedisServer redis = RedisServer.startNew()) {
            var settings = TestNode.settings(Duration.ofSeconds(2), 100, 100, Duration.ofSeconds(300));
            try (TestNode a = new TestNode(redis.url(), "g", settings);
                 TestNode b = new TestNode(redis.url(), "g", settings)) {
                b.subscribe("room");
                a.broker.presenceAdd("room", "a1", "live", null);
                a.broker.presenceAdd("room", "a2", "dead", null);
                a.broker.presenceDisconnected("a2"); // its TTL (2 s) runs, nobody renews it
                assertTrue(await(() -> b.events("join").size() == 2, 5), b.events().toString());
                b.broker.sweep(); // records a sweep
                RedisKeys keys = new RedisKeys("g");
                io.lettuce.core.RedisClient raw = io.lettuce.core.RedisClient.create(redis.url());
                try (var c = raw.connect()) {
                    long now = Long.parseLong(c.sync().time().get(0)) * 1000;
                    c.sync().hset(keys.sweepIndex() + ":alive", "t", Long.toString(now - 10_000));
                    String pz = keys.presence("room")[4];
                    c.sync().zadd(pz, now - 5_000, "a1");
                    c.sync().zadd(pz, now - 5_000, "a2");
                    c.sync().zadd(keys.sweepIndex(), now - 5_000, "room");
                } finally {
                    raw.shutdown();
                }
                assertEquals(0, b.broker.sweep(), "the first sweep after the gap expires nothing");
                a.broker.touch(); // the live node renews within the grace
                long graceEnds = System.currentTimeMillis() + a.broker.leaseMillis() + 500;
                assertTrue(await(() -> System.currentTimeMillis() > graceEnds, 10));
                assertTrue(await(() -> b.events().contains("leave room dead"), 10), b.events().toString());
                TestNode.quiesce("room", b, b);
                assertEquals(List.of("leave room dead"), b.events("leave"), b.events().toString());
                assertEquals(2, b.events("join").size(), "no join again: " + b.events());
                assertEquals(List.of("live"), b.broker.presenceInfo("room").records().stream()
                        .map(PresenceInfo.Record::id).toList());
            }
        }
    }

    private static void hang(RedisServer redis, String prefix, int leases) throws Exception {
        var settings = TestNode.settings(Duration.ofSeconds(2), 100, 100, Duration.ofSeconds(300));
        try (TestNode a = new TestNode(redis.url(), prefix, settings);
             TestNode b = new TestNode(redis.url(), prefix, settings)) {
            TestNode dead = new TestNode(redis.url(), prefix, settings);
            b.subscribe("room");
            a.broker.presenceAdd("room", "a1", "on-a", null);
            b.broker.presenceAdd("room", "b1", "on-b", null);
            dead.broker.presenceAdd("room", "d1", "dead", null);
            assertTrue(await(() -> b.events("join").size() == 3, 5), b.events().toString());
            dead.close(); // killed: never renews again
            long lease = a.broker.leaseMillis();

            redis.pause();
            long pausedAt = System.currentTimeMillis();
            try {
                await(() -> System.currentTimeMillis() > pausedAt + leases * lease, leases * lease / 1000.0 + 5);
            } finally {
                redis.resume();
            }
            assertTrue(await(() -> b.events().contains("leave room dead"), 30), b.events().toString());
            // two more leases after that: every live node renewed and swept several times
            long resumed = System.currentTimeMillis();
            await(() -> System.currentTimeMillis() > resumed + 2 * lease, 2 * lease / 1000.0 + 5);
            TestNode.quiesce("room", b, b); // what those sweeps published has been delivered
            assertEquals(List.of("leave room dead"), b.events("leave"), "no leave for a live member");
            assertEquals(3, b.events("join").size(), "no join again: " + b.events());
            assertEquals(List.of("on-a", "on-b"), b.broker.presenceInfo("room").records().stream()
                    .map(PresenceInfo.Record::id).toList());
        }
    }
}
