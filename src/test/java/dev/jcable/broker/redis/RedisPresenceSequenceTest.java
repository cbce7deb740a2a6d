package dev.jcable.broker.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jcable.testsupport.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 20: presence transitions of a stream carry a per-stream sequence number that is the same on every node. Two
 * nodes on one Redis make joins and leaves at once, interleaved, on two streams; each node must deliver every
 * transition of a stream numbered 1, 2, 3… in delivery order (no gap, no repeat), both nodes the same numbers for the
 * same transitions, and the transitions reported to the application (once per cluster, by the node that ran the
 * script) must carry those numbers too.
 */
class RedisPresenceSequenceTest {

    private static final int PER_NODE = 30;

    @Test
    void everyNodeSeesEachStreamsTransitionsNumberedAlikeInOrderWithoutGaps() throws Exception {
        var settings = TestNode.settings(Duration.ofSeconds(15), 1000, 100, Duration.ofSeconds(300));
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try (RedisServer redis = RedisServer.startNew();
             TestNode a = new TestNode(redis.url(), "seq", settings);
             TestNode b = new TestNode(redis.url(), "seq", settings)) {
            for (String stream : List.of("room", "other")) {
                a.subscribe(stream);
                b.subscribe(stream);
            }
            CompletableFuture<Void> onA = CompletableFuture.runAsync(() -> churn(a, "a"), threads);
            CompletableFuture<Void> onB = CompletableFuture.runAsync(() -> churn(b, "b"), threads);
            onA.get(60, TimeUnit.SECONDS);
            onB.get(60, TimeUnit.SECONDS);
            for (String stream : List.of("room", "other")) {
                TestNode.quiesce(stream, a, a, b); // everything published on it before has been delivered to both
                // per node: a join and a leave per member, numbered 1..n in the order delivered
                int n = 2 * 2 * (stream.equals("room") ? PER_NODE : PER_NODE / 2);
                List<String> onAList = of(a.numbered(), stream);
                assertEquals(n, onAList.size(), onAList.toString());
                for (int i = 0; i < n; i++) {
                    assertEquals(i + 1, seq(onAList.get(i)), "delivered in order without gaps on a: " + onAList);
                }
                assertEquals(onAList, of(b.numbered(), stream), "b delivered the same numbers for the same transitions");
                List<String> reported = new ArrayList<>(of(a.numberedChanges(), stream));
                reported.addAll(of(b.numberedChanges(), stream));
                reported.sort(Comparator.comparingLong(RedisPresenceSequenceTest::seq));
                assertEquals(onAList, reported, "each transition reported once, by one node, with its number");
            }
        } finally {
            threads.shutdownNow();
        }
    }

    /**
     * Members come and go on both streams: "room" gets every member, "other" every second one, and each leaves once
     * the next has joined, so the two nodes' scripts interleave on both streams.
     */
    private static void churn(TestNode node, String name) {
        String previousRoom = null;
        String previousOther = null;
        for (int i = 0; i < PER_NODE; i++) {
            String sid = name + i;
            node.broker.presenceAdd("room", sid, name + "-" + i, null);
            if (previousRoom != null) {
                node.broker.presenceRemove("room", previousRoom);
            }
            previousRoom = sid;
            if (i % 2 == 0) {
                node.broker.presenceAdd("other", sid, name + "-" + i, null);
                if (previousOther != null) {
                    node.broker.presenceRemove("other", previousOther);
                }
                previousOther = sid;
            }
        }
        node.broker.presenceRemove("room", previousRoom);
        node.broker.presenceRemove("other", previousOther);
    }

    private static List<String> of(List<String> numbered, String stream) {
        return numbered.stream().filter(e -> e.startsWith(stream + " ")).toList();
    }

    private static long seq(String numbered) {
        String[] parts = numbered.split(" ");
        return Long.parseLong(parts[1]);
    }
}
