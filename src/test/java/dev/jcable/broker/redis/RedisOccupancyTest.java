package dev.jcable.broker.redis;

import static dev.jcable.broker.redis.TestNode.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Which streams have subscribers cluster-wide (Pusher's occupied channels), across two nodes on a real redis-server:
 * each edge once for the cluster, a dead node's share gone with its lease, a stopping node's at once.
 */
class RedisOccupancyTest {

    private static final AtomicInteger PREFIXES = new AtomicInteger();
    @RegisterExtension
    static final RedisServer.PerClass REDIS = new RedisServer.PerClass();

    private final String prefix = "o" + PREFIXES.incrementAndGet();
    private final List<TestNode> nodes = new ArrayList<>();

    @AfterEach
    void stopNodes() throws Exception {
        for (TestNode node : nodes) {
            node.close();
        }
    }

    private TestNode node(Duration presenceTtl) {
        TestNode node = TestNode.tracking(REDIS.url(), prefix, TestNode.settings(presenceTtl, 100, 100,
                Duration.ofSeconds(300)));
        nodes.add(node);
        return node;
    }

    @Test
    void aStreamIsOccupiedByItsFirstSubscriberInTheClusterAndVacatedAfterItsLastOnce() {
        TestNode a = node(Duration.ofSeconds(15));
        TestNode b = node(Duration.ofSeconds(15));
        a.subscribe("news");
        assertTrue(await(() -> a.changes().equals(List.of("occupied news")), 10), a.changes().toString());
        a.subscribe("news"); // a second local subscriber: no edge, no script
        b.subscribe("news");
        assertEquals(Set.of("news"), b.broker.occupiedStreams(""));
        assertTrue(b.broker.occupied("news"));
        a.broker.detach("news");
        a.broker.detach("news");
        assertEquals(Set.of("news"), a.broker.occupiedStreams("ne"), "b still has a subscriber");
        b.broker.detach("news");
        assertTrue(await(() -> b.changes().equals(List.of("vacated news")), 10), b.changes().toString());
        // every script has run (b's remove found no record left): their replies carry no further edge
        assertEquals(List.of("occupied news"), a.changes());
        assertEquals(Set.of(), a.broker.occupiedStreams(""));
        assertFalse(a.broker.occupied("news"));
    }

    @Test
    void occupiedStreamsAreListedByPrefixAcrossNodes() {
        TestNode a = node(Duration.ofSeconds(15));
        TestNode b = node(Duration.ofSeconds(15));
        a.subscribe("private-a");
        b.subscribe("private-b");
        b.subscribe("public");
        assertTrue(await(() -> a.broker.occupiedStreams("").size() == 3, 10));
        assertEquals(Set.of("private-a", "private-b"), a.broker.occupiedStreams("private-"));
        assertEquals(Set.of("public"), b.broker.occupiedStreams("pub"));
    }

    @Test
    void aKilledNodesShareEndsWithItsLeaseAndTheSurvivorReportsTheVacatedOnce() throws Exception {
        TestNode a = node(Duration.ofMillis(500));
        TestNode b = node(Duration.ofMillis(500));
        a.subscribe("only-a");
        a.subscribe("both");
        // a's edges reach Redis asynchronously: b subscribes once a's record of "both" is in, so b's is not the first
        // (else b, not a, reports "occupied both", as one run under load did)
        assertTrue(await(() -> b.broker.occupiedStreams("").equals(Set.of("only-a", "both")), 10));
        b.subscribe("both");
        long killed = System.nanoTime();
        a.crash();
        nodes.remove(a);
        long lease = b.broker.leaseMillis();
        assertTrue(await(() -> b.changes().contains("vacated only-a"), lease / 1000.0 + 5), b.changes().toString());
        double seconds = (System.nanoTime() - killed) / 1e9;
        assertTrue(seconds <= lease / 1000.0 + RedisBroker.SWEEP_MILLIS / 1000.0 + 1, seconds + " s");
        // b renews its own record well past the lease: "both" stays occupied
        assertFalse(await(() -> b.changes().contains("vacated both"), lease / 1000.0 + 1.5), b.changes().toString());
        assertEquals(Set.of("both"), b.broker.occupiedStreams(""));
        assertEquals(List.of("vacated only-a"), b.changes());
    }

    @Test
    void aStoppingNodeLeavesAtOnceAndRedisLosingTheRecordsIsMadeUpByTheRenewal() throws Exception {
        TestNode a = node(Duration.ofSeconds(15));
        TestNode b = node(Duration.ofSeconds(15));
        a.subscribe("kept");
        b.subscribe("gone");
        assertTrue(await(() -> a.broker.occupiedStreams("").size() == 2, 10));
        b.close();
        nodes.remove(b);
        assertEquals(Set.of("kept"), a.broker.occupiedStreams(""), "removed on the way out, not after a lease");
        assertEquals(List.of("occupied gone", "vacated gone"), b.changes());
        RedisClient raw = RedisClient.create(REDIS.url());
        try (StatefulRedisConnection<String, String> c = raw.connect()) {
            c.sync().del(new RedisKeys(prefix).occupancy("kept"));
        } finally {
            raw.shutdown();
        }
        assertEquals(Set.of(), a.broker.occupiedStreams(""));
        a.broker.touchOccupancy();
        assertTrue(await(() -> a.broker.occupiedStreams("").equals(Set.of("kept")), 10));
    }

    /**
     * A node's first-subscriber and last-subscriber edges of one stream, racing on two threads: they reach Redis in
     * the order they happened, so the reported edges alternate and the end state is the local one (no subscriber,
     * not occupied), not a stale add after the last remove.
     */
    @Test
    void racingEdgesOfOneStreamEndAsTheLocalState() throws Exception {
        TestNode a = node(Duration.ofSeconds(15));
        Runnable churn = () -> {
            for (int i = 0; i < 300; i++) {
                a.subscribe("churn");
                a.broker.detach("churn");
            }
        };
        Thread other = new Thread(churn);
        other.start();
        churn.run();
        other.join();
        a.subscribe("barrier"); // sent after every edge of "churn", on the same connection: its reply comes after theirs
        assertTrue(await(() -> a.changes().contains("occupied barrier"), 10), a.changes().toString());
        List<String> edges = a.changes().stream().filter(c -> c.endsWith(" churn")).toList();
        assertTrue(edges.size() >= 2, edges.toString());
        for (int i = 0; i < edges.size(); i++) {
            assertEquals(i % 2 == 0 ? "occupied churn" : "vacated churn", edges.get(i), "edge " + i + " of " + edges);
        }
        assertEquals(Set.of("barrier"), a.broker.occupiedStreams(""));
    }

    /** Pusher's subscription_count: this node's exact, the others' as of their last renewal. */
    @Test
    void subscriptionsCountThisNodesExactlyAndTheOthersAsOfTheirLastRenewal() throws Exception {
        TestNode a = node(Duration.ofSeconds(15));
        TestNode b = node(Duration.ofSeconds(15));
        a.subscribe("room");
        a.subscribe("room");
        for (int i = 0; i < 3; i++) {
            b.subscribe("room");
        }
        assertTrue(await(() -> a.broker.subscriptions("room") == 3, 10), "a's 2 and b's first: "
                + a.broker.subscriptions("room"));
        b.broker.touchOccupancy(); // b's renewal carries its count
        assertEquals(5, a.broker.subscriptions("room"));
        assertEquals(4, b.broker.subscriptions("room"), "a's record still says 1: a has not renewed since");
        a.broker.touchOccupancy();
        assertEquals(5, b.broker.subscriptions("room"));
        b.broker.detach("room");
        assertEquals(4, b.broker.subscriptions("room"), "b's own share is exact at once");
        b.broker.touchOccupancy();
        assertEquals(4, a.broker.subscriptions("room"));
        for (int i = 0; i < 2; i++) {
            b.broker.detach("room");
        }
        assertTrue(await(() -> a.broker.subscriptions("room") == 2, 10), "b's record removed with its last: "
                + a.broker.subscriptions("room"));
        assertEquals(0, a.broker.subscriptions("elsewhere"));
    }
}
