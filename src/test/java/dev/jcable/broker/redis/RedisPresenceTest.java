package dev.jcable.broker.redis;

import static dev.jcable.broker.redis.TestNode.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.broker.JoinResult;
import dev.jcable.protocol.PresenceInfo;
import dev.jcable.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The presence scripts across two nodes, against a real redis-server. */
class RedisPresenceTest {

    private static final AtomicInteger PREFIXES = new AtomicInteger();
    @RegisterExtension
    static final RedisServer.PerClass REDIS = new RedisServer.PerClass();

    private final String prefix = "p" + PREFIXES.incrementAndGet();
    private final List<TestNode> nodes = new ArrayList<>();

    @AfterEach
    void stopNodes() throws Exception {
        for (TestNode node : nodes) {
            node.close();
        }
    }

    private TestNode node(Duration presenceTtl, int maxMembers) {
        TestNode node = new TestNode(REDIS.url(), prefix, TestNode.settings(presenceTtl, maxMembers, 100,
                Duration.ofSeconds(300)));
        nodes.add(node);
        node.subscribe("room");
        return node;
    }

    private TestNode node() {
        return node(Duration.ofSeconds(15), 100);
    }

    @Test
    void oneIdHeldFromTwoNodesIsOneMemberJoiningOnceAndLeavingWithItsLastSession() {
        TestNode a = node();
        TestNode b = node();
        assertEquals(JoinResult.JOINED, a.broker.presenceAdd("room", "s1", "42", "{\"name\":\"Vova\"}"));
        assertEquals(JoinResult.UPDATED, b.broker.presenceAdd("room", "s2", "42", "{\"name\":\"V\"}"));
        assertEquals(new PresenceInfo(1, List.of(new PresenceInfo.Record("42", "{\"name\":\"V\"}")), 1),
                a.broker.presenceInfo("room"), "one member, its latest info, seen from any node, after transition 1");
        assertTrue(await(() -> b.events().size() == 1, 5));
        assertTrue(a.broker.presenceRemove("room", "s1"));
        assertFalse(a.broker.presenceRemove("room", "s1"), "already left");
        assertEquals(1, b.broker.presenceInfo("room").total(), "still held by s2 on node b");
        assertEquals(1, a.broker.presenceCount("room"), "the count agrees, from either node");
        assertTrue(b.broker.presenceRemove("room", "s2"));
        assertTrue(await(() -> a.events().size() == 2 && b.events().size() == 2, 5));
        TestNode.quiesce("room", a, a, b); // and nothing more
        List<String> expected = List.of("join room 42 {\"name\":\"Vova\"}", "leave room 42");
        assertEquals(expected, a.events());
        assertEquals(expected, b.events());
        assertEquals(new PresenceInfo(0, List.of(), 2), b.broker.presenceInfo("room"), "emptied by transition 2");
        assertEquals(0, a.broker.presenceCount("room"));
    }

    @Test
    void countIsTheClustersAndExpiresWhatIsDueFirst() {
        TestNode a = node(Duration.ofMillis(200), 100);
        TestNode b = node(Duration.ofMillis(200), 100);
        a.broker.presenceAdd("room", "s1", "1", null);
        b.broker.presenceAdd("room", "s2", "2", null);
        b.broker.presenceAdd("room", "s3", "2", null);
        assertEquals(2, a.broker.presenceCount("room"));
        assertEquals(2, b.broker.presenceCount("room"));
        a.broker.presenceDisconnected("s1");
        // past its TTL the count drops (the count script expires what is due, as the list does, sweeper or not)
        assertTrue(await(() -> b.broker.presenceCount("room") == 1, 5));
        assertEquals(List.of(new PresenceInfo.Record("2", null)), b.broker.presenceInfo("room").records());
    }

    @Test
    void eachTransitionIsReportedOnceForTheClusterByTheNodeThatMadeIt() {
        TestNode a = node(Duration.ofMillis(200), 100);
        TestNode b = node(Duration.ofMillis(200), 100);
        a.broker.presenceAdd("room", "s1", "42", "{\"n\":1}");
        b.broker.presenceAdd("room", "s2", "42", null); // the same id: no transition
        b.broker.presenceAdd("room", "s3", "7", null);
        b.broker.presenceRemove("room", "s3");
        assertEquals(List.of("join room 42 {\"n\":1}"), a.changes());
        assertEquals(List.of("join room 7 null", "leave room 7"), b.changes(), "42 still holds the room");
        // both sessions of 42 disconnect: whichever node's sweep expires the record reports the leave, once
        a.broker.presenceDisconnected("s1");
        b.broker.presenceDisconnected("s2");
        assertTrue(await(() -> a.changes().size() + b.changes().size() == 4, 10));
        List<String> all = new ArrayList<>(a.changes());
        all.addAll(b.changes());
        assertEquals(1, all.stream().filter("leave room 42 (vacated)"::equals).count(), all.toString());
        assertTrue(await(() -> a.events().size() == 4 && b.events().size() == 4, 5), "every node still sees all");
    }

    @Test
    void membersAreListedInJoinOrderWithoutInfoWhenNoneWasGiven() {
        TestNode a = node();
        TestNode b = node();
        a.broker.presenceAdd("room", "s1", "b", null);
        b.broker.presenceAdd("room", "s2", "a", "{}");
        a.broker.presenceAdd("room", "s3", "ü✓", "[1]");
        assertEquals(List.of(new PresenceInfo.Record("b", null), new PresenceInfo.Record("a", "{}"),
                new PresenceInfo.Record("ü✓", "[1]")), b.broker.presenceInfo("room").records());
        assertTrue(await(() -> b.events().size() == 3, 5));
        TestNode.quiesce("room", b, b);
        assertEquals(List.of("join room b null", "join room a {}", "join room ü✓ [1]"), b.events(),
                "a non-ASCII id is framed by its UTF-8 length");
    }

    @Test
    void aSessionKeepsItsIdPerStreamAndTheLimitCountsTheCluster() {
        TestNode a = node(Duration.ofSeconds(15), 2);
        TestNode b = node(Duration.ofSeconds(15), 2);
        assertEquals(JoinResult.JOINED, a.broker.presenceAdd("room", "s1", "u1", null));
        assertEquals(JoinResult.ID_MISMATCH, a.broker.presenceAdd("room", "s1", "u2", null));
        assertEquals(JoinResult.UPDATED, a.broker.presenceAdd("room", "s1", "u1", "{\"x\":1}"));
        assertEquals(JoinResult.JOINED, b.broker.presenceAdd("room", "s2", "u2", null));
        assertEquals(JoinResult.MEMBERS_LIMIT, a.broker.presenceAdd("room", "s3", "u3", null));
        assertEquals(JoinResult.UPDATED, b.broker.presenceAdd("room", "s4", "u1", null), "a known id is no new member");
        assertEquals(2, a.broker.presenceInfo("room").total());
    }

    @Test
    void aDisconnectedSessionLeavesAfterTheTtlOnceUnlessItsIdCameBack() {
        TestNode a = node(Duration.ofMillis(300), 100);
        TestNode b = node(Duration.ofMillis(300), 100);
        a.broker.presenceAdd("room", "s1", "gone", null);
        a.broker.presenceAdd("room", "s2", "back", null);
        a.broker.presenceDisconnected("s1");
        a.broker.presenceDisconnected("s2");
        assertEquals(JoinResult.SESSION_CLOSED, a.broker.presenceAdd("room", "s1", "gone", null));
        a.broker.presenceDisconnected("s-never-joined");
        assertEquals(JoinResult.SESSION_CLOSED, a.broker.presenceAdd("room", "s-never-joined", "late", null),
                "a join after the close is refused even when the session held nothing");
        b.broker.presenceAdd("room", "s3", "back", null); // the same person, reconnected to node b in time
        assertTrue(await(() -> b.events().contains("leave room gone"), 5), b.events().toString());
        assertEquals(List.of(new PresenceInfo.Record("back", null)), a.broker.presenceInfo("room").records());
        TestNode.quiesce("room", a, b);
        assertEquals(List.of("join room gone null", "join room back null", "leave room gone"), b.events());
    }

    @Test
    void twoSweepersRacingEmitEachLeaveExactlyOnce() throws Exception {
        TestNode a = node(Duration.ZERO, 10_000);
        TestNode b = node(Duration.ZERO, 10_000);
        // 300 members over 3 streams whose records are all due at once: held by sessions of a node that died
        RedisClient raw = RedisClient.create(REDIS.url());
        RedisKeys keys = new RedisKeys(prefix);
        List<String> streams = List.of("room", "r2", "r3");
        List<String> reported = new ArrayList<>(); // leaves reported to whoever ran the script that removed them
        streams.forEach(s -> { if (!s.equals("room")) { a.subscribe(s); b.subscribe(s); } });
        try (StatefulRedisConnection<String, String> c = raw.connect()) {
            for (String stream : streams) {
                for (int i = 0; i < 100; i++) {
                    List<String> reply = RedisScripts.PRESENCE_ADD.<List<String>>run(c.async(),
                            keys.presence(stream), stream, keys.channel(stream), "dead" + i, "u" + i, "", "1",
                            "10000").get();
                    // the count of events, the events (this join, after any leave its inline expiry published)
                    assertTrue(reply.get(reply.size() - 2).matches("\\d+,j\\d+:" + ("u" + i).length() + ":u" + i),
                            reply.toString());
                    assertEquals("joined", reply.get(reply.size() - 1));
                    for (String event : reply.subList(1, Integer.parseInt(reply.get(0)))) {
                        reported.add("leave " + stream + " " + event.substring(event.indexOf(",l") + 2)
                                + (event.startsWith("0,") ? " (vacated)" : ""));
                    }
                }
            }
        } finally {
            raw.shutdown();
        }
        // both nodes sweep at the same time, over and over, while their own timers sweep too
        List<CompletableFuture<Long>> sweeps = new ArrayList<>();
        for (int round = 0; round < 20; round++) {
            sweeps.add(CompletableFuture.supplyAsync(a.broker::sweep));
            sweeps.add(CompletableFuture.supplyAsync(b.broker::sweep));
        }
        for (CompletableFuture<Long> sweep : sweeps) {
            sweep.get();
        }
        assertTrue(await(() -> b.events("leave").size() >= 300, 10), b.events("leave").size() + " leaves");
        assertTrue(await(() -> a.events("leave").size() >= 300, 10));
        for (TestNode node : List.of(a, b)) {
            for (String stream : streams) {
                List<String> leaves = node.events("leave " + stream + " ");
                assertEquals(100, leaves.size(), stream);
                assertEquals(100, leaves.stream().distinct().count(), stream + ": each exactly once");
            }
        }
        streams.forEach(s -> assertEquals(new PresenceInfo(0, List.of(), 200), a.broker.presenceInfo(s),
                s + ": emptied by its 200th transition (100 joins, 100 leaves)"));
        reported.addAll(a.changes());
        reported.addAll(b.changes());
        assertEquals(300, reported.size(), "each leave reported as a transition by one caller only");
        assertEquals(300, reported.stream().distinct().count());
    }

    @Test
    void aKilledNodesMembersLeaveOnTheSurvivorsWithinTheLeaseAndOthersStay() throws Exception {
        TestNode a = node(Duration.ofMillis(500), 100);
        TestNode b = node(Duration.ofMillis(500), 100);
        a.broker.presenceAdd("room", "a1", "only-a", null);
        a.broker.presenceAdd("room", "a2", "both", null);
        b.broker.presenceAdd("room", "b1", "both", null);
        b.broker.presenceAdd("room", "b2", "only-b", null);
        long killed = System.nanoTime();
        a.close(); // stops renewing, like kill -9: nothing is removed on its way out
        long lease = a.broker.leaseMillis();
        assertTrue(await(() -> b.events().contains("leave room only-a"), lease / 1000.0 + 3), b.events().toString());
        double seconds = (System.nanoTime() - killed) / 1e9;
        assertTrue(seconds <= lease / 1000.0 + RedisBroker.SWEEP_MILLIS / 1000.0 + 0.5, seconds + " s");
        // b keeps renewing its own sessions well past the lease
        assertFalse(await(() -> b.events().contains("leave room both") || b.events().contains("leave room only-b"),
                lease / 1000.0 + 1.5));
        assertEquals(List.of("both", "only-b"), b.broker.presenceInfo("room").records().stream()
                .map(PresenceInfo.Record::id).toList());
        assertEquals(1, b.events("leave").size());
    }

    @Test
    void membersRedisLostAreJoinedAgainByTheirNode() {
        TestNode a = node();
        a.broker.presenceAdd("room", "s1", "u1", "{\"n\":1}");
        RedisClient raw = RedisClient.create(REDIS.url());
        try (StatefulRedisConnection<String, String> c = raw.connect()) {
            c.sync().del(new RedisKeys(prefix).presence("room"));
        } finally {
            raw.shutdown();
        }
        assertEquals(PresenceInfo.EMPTY, a.broker.presenceInfo("room"));
        a.broker.touch();
        assertEquals(List.of(new PresenceInfo.Record("u1", "{\"n\":1}")), a.broker.presenceInfo("room").records());
        assertTrue(await(() -> a.events().size() == 2, 5));
        TestNode.quiesce("room", a, a);
        assertEquals(List.of("join room u1 {\"n\":1}", "join room u1 {\"n\":1}"), a.events());
    }
}
