package dev.jcable.broker.redis;

import static dev.jcable.broker.redis.TestNode.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.api.Publication;
import dev.jcable.broker.BrokerUnavailableException;
import dev.jcable.broker.PresenceInfo;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import dev.jcable.testsupport.RedisServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Redis goes away and comes back (empty, as a restarted Redis without persistence does). */
class RedisOutageTest {

    @RegisterExtension
    static final RedisServer.PerClass REDIS = new RedisServer.PerClass();

    private static TestNode node(String prefix) {
        return new TestNode(REDIS.url(), prefix, TestNode.settings(Duration.ofSeconds(1), 100, 100,
                Duration.ofSeconds(300)));
    }

    @Test
    void operationsFailFastWhileRedisIsDownAndAnEmptyRedisIsRefilledFromTheLiveSessions() throws Exception {
        try (TestNode a = node("o1"); TestNode b = node("o1")) {
            a.subscribe("room");
            b.subscribe("room");
            a.broker.presenceAdd("room", "a1", "stays", null);
            a.broker.presenceAdd("room", "a2", "leaves-meanwhile", null);
            assertTrue(await(() -> b.events().size() == 2, 5));
            assertTrue(a.broker.healthy());

            REDIS.server().stop();
            long start = System.nanoTime();
            assertThrows(BrokerUnavailableException.class, () -> a.broker.publish(new Publication("room", "x")));
            assertThrows(BrokerUnavailableException.class, () -> a.broker.presenceAdd("room", "a3", "new", null));
            assertThrows(BrokerUnavailableException.class, () -> a.broker.presenceInfo("room"));
            assertTrue((System.nanoTime() - start) / 1e9 < 1, "failed at once, not after the command timeout");
            assertTrue(await(() -> !a.broker.healthy(), 5), "reported down");
            assertEquals(Optional.empty(), a.broker.restoreSession("any"), "nothing to restore, no error");
            a.broker.presenceDisconnected("a2"); // its user goes while Redis is away: no error either

            REDIS.server().start(); // empty: without persistence everything is gone
            assertTrue(await(() -> a.broker.healthy(), 10), "back");
            // the live session is joined again by its node; the one that left meanwhile is not
            assertTrue(await(() -> b.events("join").size() == 3, 10), b.events().toString());
            assertEquals(List.of("join room stays null", "join room leaves-meanwhile null", "join room stays null"),
                    b.events("join"));
            assertEquals(List.of(new PresenceInfo.Record("stays", null)), b.broker.presenceInfo("room").records());
            // both nodes are subscribed again: a publication reaches each once, numbered in a new epoch
            assertTrue(await(() -> publishes(b, "after"), 10));
            assertTrue(await(() -> a.events("m ").size() == 1 && b.events("m ").size() == 1, 10),
                    a.events() + " / " + b.events());
            assertTrue(a.events("m ").get(0).endsWith(" 1 after"), a.events().toString());
        }
    }

    @Test
    void afterAnOutageThatKeptTheDataWhoLeftMeanwhileLeavesOnceAndNobodyIsDuplicated() throws Exception {
        try (TestNode a = node("o2"); TestNode b = node("o2")) {
            b.subscribe("room");
            a.broker.presenceAdd("room", "a1", "stays", null);
            a.broker.presenceAdd("room", "a2", "leaves-meanwhile", null);
            a.broker.publish(new Publication("room", "before"));
            REDIS.server().save();
            REDIS.server().stop();
            a.broker.presenceDisconnected("a2");
            assertThrows(BrokerUnavailableException.class, () -> a.broker.publish(new Publication("room", "lost")));
            REDIS.server().start(); // with its data
            assertTrue(await(() -> b.events().contains("leave room leaves-meanwhile"), 10), b.events().toString());
            assertTrue(await(() -> publishes(a, "after"), 10));
            assertTrue(await(() -> b.events("m ").size() == 2, 10), b.events().toString());
            assertTrue(b.events("m ").get(1).endsWith(" 2 after"), "the same epoch, the next offset: " + b.events());
            assertEquals(List.of("join room stays null", "join room leaves-meanwhile null",
                    "leave room leaves-meanwhile"), b.events().stream().filter(e -> !e.startsWith("m ")).toList());
            assertEquals(List.of(new PresenceInfo.Record("stays", null)), b.broker.presenceInfo("room").records());
        }
    }

    private static boolean publishes(TestNode node, String data) {
        try {
            node.broker.publish(new Publication("room", data));
            return true;
        } catch (BrokerUnavailableException e) {
            return false;
        }
    }
}
