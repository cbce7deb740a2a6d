package dev.jcable.broker.redis;

import static dev.jcable.broker.redis.TestNode.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.broker.BrokerUnavailableException;
import dev.jcable.broker.Publication;
import dev.jcable.protocol.PresenceInfo;
import dev.jcable.testsupport.RedisServer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
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
            // each node reconnects on its own (b's pub/sub connection may be back before its command connection)
            assertTrue(await(() -> a.broker.healthy() && b.broker.healthy(), 10), "back");
            // the live session is joined again by its node without an event (no leave was published for it), the one
            // that left meanwhile is not (its leave went with the data), and every subscriber fetches the set afresh
            assertTrue(await(() -> a.events().contains("lost room") && b.events().contains("lost room"), 15),
                    b.events().toString());
            assertEquals(List.of("join room stays null", "join room leaves-meanwhile null"), b.events("join"));
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
                    "leave room leaves-meanwhile"), b.events().stream()
                    .filter(e -> !e.startsWith("m ") && !e.startsWith("lost ")).toList());
            assertEquals(List.of(new PresenceInfo.Record("stays", null)), b.broker.presenceInfo("room").records());
        }
    }

    /**
     * A node deployed while Redis is not running starts (its deployment does not fail), says the broker is down, and
     * joins the cluster by itself once Redis answers: its subscriptions, presence and both Redis broadcast adapters
     * then work as if Redis had been there all along.
     */
    @Test
    void aNodeStartedBeforeRedisReportsItDownAndJoinsTheClusterOnceRedisAnswers() throws Exception {
        RedisServer late = RedisServer.startNew();
        late.stop(); // its port, with nothing listening yet
        List<String> ingested = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        try (TestNode a = new TestNode(late.url(), "late", TestNode.settings(Duration.ofSeconds(1), 100, 100,
                Duration.ofSeconds(300)), false)) {
            a.broker.startIngress(true, "__anycable__", true, "__anycable__", new BroadcastIngress() {
                @Override
                public List<dev.jcable.broker.Broadcast> parse(String payload) {
                    return List.of(new dev.jcable.broker.Publication("s", payload, null));
                }

                @Override
                public void publish(dev.jcable.broker.Broadcast broadcast) {
                    ingested.add("x " + ((dev.jcable.broker.Publication) broadcast).data());
                }

                @Override
                public void deliverLocally(String payload) {
                    ingested.add("p " + payload);
                }
            });
            assertTrue(!a.broker.healthy(), "reported down");
            assertThrows(BrokerUnavailableException.class, () -> a.broker.publish(new Publication("room", "x")));
            assertThrows(BrokerUnavailableException.class, () -> a.broker.whisper(new Publication("room", "x")));
            assertThrows(BrokerUnavailableException.class, () -> a.broker.presenceAdd("room", "a1", "early", null));
            assertThrows(BrokerUnavailableException.class, () -> a.broker.presenceInfo("room"));
            assertThrows(BrokerUnavailableException.class, () -> a.subscribe("room"));
            assertEquals(Optional.empty(), a.broker.restoreSession("any"));
            a.broker.presenceDisconnected("a0"); // no error
            assertEquals(0, a.broker.subscribedStreams());

            late.start();
            assertTrue(await(() -> a.broker.healthy(), 5), "connected by itself");
            try (TestNode b = new TestNode(late.url(), "late", TestNode.settings(Duration.ofSeconds(1), 100, 100,
                    Duration.ofSeconds(300)))) {
                a.subscribe("room");
                b.subscribe("room");
                a.broker.presenceAdd("room", "a1", "joined-late", null);
                b.broker.publish(new Publication("room", "hello"));
                assertTrue(await(() -> a.events().size() == 2 && b.events().size() == 2, 5),
                        a.events() + " / " + b.events());
                assertEquals(List.of("join room joined-late null"), b.events("join"));
                assertEquals(1, a.events("m ").size());
                assertTrue(a.events("m ").get(0).endsWith(" 1 hello"), a.events().toString());
                // both Redis broadcast adapters were started once connected
                try (RedisServerClient sdk = new RedisServerClient(late.url())) {
                    sdk.commands().publish("__anycable__", "{\"stream\":\"s\",\"data\":\"p\"}");
                    sdk.commands().xadd("__anycable__", java.util.Map.of("payload", "{\"stream\":\"s\",\"data\":\"x\"}"));
                    assertTrue(await(() -> ingested.size() == 2, 5), ingested.toString());
                }
                assertEquals(List.of("p {\"stream\":\"s\",\"data\":\"p\"}", "x {\"stream\":\"s\",\"data\":\"x\"}"),
                        ingested.stream().sorted().toList());
            }
        } finally {
            late.close();
        }
    }

    /** A plain Lettuce client, as an application's SDK would use. */
    private static final class RedisServerClient implements AutoCloseable {
        private final io.lettuce.core.RedisClient client;
        private final io.lettuce.core.api.StatefulRedisConnection<String, String> connection;

        RedisServerClient(String url) {
            client = io.lettuce.core.RedisClient.create(url);
            connection = client.connect();
        }

        io.lettuce.core.api.sync.RedisCommands<String, String> commands() {
            return connection.sync();
        }

        @Override
        public void close() {
            connection.close();
            client.shutdown();
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
