package dev.jcable.broker.redis;

import static dev.jcable.broker.redis.TestNode.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.protocol.PresenceInfo;
import dev.jcable.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 20: Redis loses its data (restarted without it, flushed) while members are present. Every record goes, and
 * with it every leave still due (a member whose connection closed, within its TTL): no node can publish that leave
 * any more. Found by the chaos suite: the nodes joined their live members again with a {@code join} each (every
 * observer saw a second join of a member it held), and a member who had left or died stayed in every client's list
 * for good. Now the live members come back without events, and every node's subscribers are told that presence was
 * lost ({@code presenceLost}), so that their clients fetch it afresh; a restore from before the loss starts its
 * presence subscriptions again.
 */
class RedisDataLossTest {

    @RegisterExtension
    static final RedisServer.PerClass REDIS = new RedisServer.PerClass();

    @Test
    void liveMembersComeBackWithoutEventsAndEverySubscriberFetchesPresenceAfresh() throws Exception {
        var settings = TestNode.settings(Duration.ofSeconds(2), 100, 100, Duration.ofSeconds(300));
        try (TestNode a = new TestNode(REDIS.url(), "loss", settings);
             TestNode b = new TestNode(REDIS.url(), "loss", settings)) {
            b.subscribe("room");
            a.subscribe("room");
            a.broker.presenceAdd("room", "a1", "on-a", null);
            b.broker.presenceAdd("room", "b1", "on-b", null);
            a.broker.presenceAdd("room", "a2", "gone", null);
            a.broker.presenceDisconnected("a2"); // its record stays for the TTL, its leave is still due
            assertTrue(await(() -> b.events("join").size() == 3 && a.events("join").size() == 3, 5),
                    b.events().toString());
            a.broker.sweep();
            b.broker.sweep(); // each node has read Redis's data mark once
            long before = System.currentTimeMillis();

            RedisClient raw = RedisClient.create(REDIS.url());
            try (StatefulRedisConnection<String, String> c = raw.connect()) {
                c.sync().flushall();
            } finally {
                raw.shutdown();
            }

            // before any node noticed (the mark is missing) a new member joins; then a notices (its sweep: the mark
            // is set again, the quiet window starts), and in the window a restored client of on-b joins again (a
            // second session): neither is announced
            a.broker.presenceAdd("room", "a3", "new", null);
            a.broker.sweep();
            b.broker.presenceAdd("room", "b2", "on-b", null);
            // the nodes renew and sweep on their own: each finds the loss within a sweep, joins its members again
            double wait = 3 * a.broker.leaseMillis() / 1000.0 + 10;
            assertTrue(await(() -> b.events().contains("lost room") && a.events().contains("lost room"), wait),
                    "every node's subscribers fetch presence afresh: " + b.events());
            assertEquals(Set.of("room"), b.broker.presenceChangedSince(List.of("room"), before),
                    "a session cached before the loss starts its presence subscription again when restored");
            TestNode.quiesce("room", a, a, b);
            assertEquals(3, b.events("join").size(), "no join again for a live member: " + b.events());
            assertEquals(3, a.events("join").size(), "no join again for a live member: " + a.events());
            assertEquals(List.of(), b.events("leave"), b.events().toString());
            assertEquals(3, a.changes().size() + b.changes().size(), "none announced until every subscriber fetched"
                    + " the set afresh: " + a.changes() + " " + b.changes());
            assertEquals(List.of("new", "on-a", "on-b"), b.broker.presenceInfo("room").records().stream()
                    .map(PresenceInfo.Record::id).sorted().toList());
            // the window is over (two leases from the first notice, before any resync): announced again
            a.broker.presenceAdd("room", "a4", "later", null);
            assertTrue(await(() -> b.events("join").size() == 4, 5), b.events().toString());
        }
    }
}
