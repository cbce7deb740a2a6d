package dev.jcable.it;

import static dev.jcable.it.Cable.command;
import static dev.jcable.it.Cable.presenceFrame;
import static dev.jcable.it.Cable.quoted;
import static dev.jcable.it.Cable.signedIdentifier;
import static dev.jcable.it.Cable.stream;
import static dev.jcable.it.Cable.subscribed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.metrics.Scrape;
import dev.jcable.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.URL;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Two Payara Micro processes with the same WAR and {@code broker=redis} on one real redis-server (started by the
 * test on a free port; skipped with the reason without one, failing in strict mode): what a client on one node
 * sees of what happens on the other.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {

    private static final int PRESENCE_TTL_SECONDS = 2;
    @RegisterExtension
    static final RedisServer.PerClass REDIS = new RedisServer.PerClass();
    private static PayaraProcess nodeA;
    private static PayaraProcess nodeB;
    private static Cable a;
    private static Cable b;
    /** Both nodes POST their presence webhooks here. */
    private static HookReceiver hooks;
    /** And their Pusher webhooks here (both are in Pusher mode). */
    private static PusherHooks pusherHooks;

    @BeforeAll
    static void startCluster() throws Exception {
        hooks = new HookReceiver();
        pusherHooks = new PusherHooks();
        nodeA = node();
        nodeB = node(); // both start at once
        a = cable(nodeA.awaitReady());
        b = cable(nodeB.awaitReady());
        assertTrue(nodeA.log().contains("broker redis (epoch per-stream"), nodeA.log());
    }

    private static PayaraProcess node(String... extra) throws Exception {
        List<String> properties = new java.util.ArrayList<>(List.of("anycable.broker=redis",
                "anycable.redis_url=" + REDIS.url(), "anycable.secret=" + Cable.SECRET,
                "anycable.presence_ttl=" + PRESENCE_TTL_SECONDS, "anycable.broadcast_adapter=http,redis,redisx",
                "anycable.streams_whisper=true", "anycable.presence_webhook_url=" + hooks.url(),
                "anycable.presence_webhook_batch=0.1"));
        properties.addAll(TwoNodes.pusherMode(pusherHooks));
        properties.addAll(List.of(extra));
        return new PayaraProcess(properties.toArray(String[]::new));
    }

    /** Waits (at most 10 s: a node counts at most every 5 s) until {@code node}'s presence gauges read these. */
    private static void expectClusterPresence(Cable node, double streams, double members) {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        Scrape scrape = Scrape.parse(node.get("metrics", null).body());
        while ((scrape.value("jcable_presence_streams") != streams
                || scrape.value("jcable_presence_members") != members) && System.nanoTime() < until) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            scrape = Scrape.parse(node.get("metrics", null).body());
        }
        assertEquals(streams, scrape.value("jcable_presence_streams"));
        assertEquals(members, scrape.value("jcable_presence_members"));
    }

    private static Cable cable(PayaraProcess node) throws Exception {
        try {
            return new Cable(new URL("http://localhost:" + node.port() + "/")).awaitHealthy();
        } catch (AssertionError e) {
            String log = node.log();
            throw new AssertionError(e.getMessage() + "\nthe node's log (its end):\n"
                    + log.substring(Math.max(0, log.length() - 6000)), e);
        }
    }

    @AfterAll
    static void stopCluster() throws Exception {
        for (PayaraProcess node : new PayaraProcess[] {nodeA, nodeB}) {
            if (node != null) {
                node.close();
            }
        }
        if (hooks != null) {
            hooks.close();
        }
        if (pusherHooks != null) {
            pusherHooks.close();
        }
    }

    @Test
    @Order(1)
    void broadcastsAndWhispersOnEitherNodeReachEverySubscriberOnceInOffsetOrder() {
        String stream = stream("cluster");
        TwoNodes.broadcastsReachEveryNodeOnceInOffsetOrder(a, b, stream, 10, (identifier, onA, onB) -> {
            // a whisper on node a reaches the other subscriber on node b, not the sender, and is not stored
            onA.send(command("whisper", identifier, "\"data\":{\"event\":\"typing\"}"));
            onB.expect(Cable.messageFrame(identifier, "{\"event\":\"typing\"}"));
            WsClient.expectQuiet(a, stream, onA, onB);
        });
    }

    @Test
    @Order(2)
    void oneIdOnTwoNodesIsOneMemberUntilItsLastSessionLeaves() throws Exception {
        String stream = stream("cluster-presence");
        TwoNodes.oneIdOnTwoNodesIsOneMemberUntilItsLastSessionLeaves(a, b, stream);
        // the webhook got each transition once for the cluster: the join from node a, the leave from node b
        // (sorted: each node's POSTs arrive in order, the two nodes' in either order), numbered in the order they
        // happened whichever node POSTed them
        List<String> expected = List.of("channel_occupied", "channel_vacated", "member_added 42 #1",
                "member_removed 42 #2");
        assertEquals(expected, hooks.events(stream, 4).stream().sorted().toList());
        // a marker from each node: each node's POSTs go out in order, one at a time, so a duplicate sent by
        // either node would have arrived before its marker
        String marks = stream("cluster-marks");
        String markIdentifier = signedIdentifier(marks);
        try (WsClient markA = a.connect(); WsClient markB = b.connect()) {
            subscribed(markA, markIdentifier);
            subscribed(markB, markIdentifier);
            markA.send(command("join", markIdentifier, "\"presence\":{\"id\":\"mark-a\"}"));
            markB.send(command("join", markIdentifier, "\"presence\":{\"id\":\"mark-b\"}"));
            assertEquals(3, hooks.events(marks, 3).size());
            // the presence gauges count the cluster in Redis: either node reports its two members of one stream
            // (the stream emptied above no longer counts)
            expectClusterPresence(a, 1, 2);
            expectClusterPresence(b, 1, 2);
        }
        assertEquals(expected, hooks.events(stream, 4).stream().sorted().toList());
    }

    @Test
    @Order(3)
    void theOfficialClientSeesOnOneNodeWhatHappensOnTheOther() throws Exception {
        String stream = stream("cluster/compat");
        String output = ClientCompatIT.node("cluster.mjs", a.ws(null).toString(), b.ws(null).toString(),
                a.http().toString(), Cable.sign(stream), stream, Cable.BROADCAST_KEY);
        assertTrue(output.contains("cluster: 5 passed, 0 failed"), output);
    }

    @Test
    @Order(3)
    void aPusherPresenceChannelSpreadOverTwoNodesIsOneChannel() throws Exception {
        TwoNodes.pusherPresenceChannelSpreadOverBothNodes(a, b, pusherHooks);
    }

    @Test
    @Order(4)
    void aSessionRestoresOnTheOtherNodeWithWhatItMissed() {
        String stream = stream("cluster-restore");
        String identifier = signedIdentifier(stream);
        WsClient first = a.connect();
        subscribed(first, identifier);
        assertEquals(201, b.broadcast("{\"stream\":\"" + stream + "\",\"data\":\"1\"}").statusCode());
        String epoch = first.expectDurable(identifier, "1", stream, 1);
        first.abort(); // the network drops
        a.awaitConnectionsAtMost(0);
        assertEquals(201, a.broadcast("{\"stream\":\"" + stream + "\",\"data\":\"2\"}").statusCode());
        try (WsClient back = WsClient.connect(b.ws("sid=" + first.sid()))) {
            assertEquals("{\"type\":\"welcome\",\"sid\":\"" + back.sid() + "\",\"restored\":true,\"restored_ids\":["
                    + quoted(identifier) + "]}", back.welcome());
            back.send(command("history", identifier, "\"history\":{\"streams\":{" + quoted(stream)
                    + ":{\"epoch\":\"" + epoch + "\",\"offset\":1}}}"));
            back.expect(Cable.durableFrame(identifier, "2", stream, epoch, 2));
            back.expect("{\"type\":\"confirm_history\",\"identifier\":" + quoted(identifier) + "}");
            assertEquals(201, a.broadcast("{\"stream\":\"" + stream + "\",\"data\":\"3\"}").statusCode());
            back.expectDurable(identifier, "3", stream, 3);
        }
    }

    @Test
    @Order(5)
    void whatAnAnyCableSdkBroadcastsThroughRedisReachesBothNodes() {
        String stream = stream("cluster-ingress");
        String identifier = signedIdentifier(stream);
        RedisClient raw = RedisClient.create(REDIS.url());
        try (WsClient onA = a.connect(); WsClient onB = b.connect();
             StatefulRedisConnection<String, String> sdk = raw.connect()) {
            subscribed(onA, identifier);
            subscribed(onB, identifier);
            // redisx: one node takes the entry and publishes it, with an offset, to both
            sdk.sync().xadd("__anycable__", Map.of("payload", "{\"stream\":\"" + stream + "\",\"data\":\"x1\"}"));
            String epoch = onA.expectDurable(identifier, "\"x1\"", stream, 1);
            assertEquals(epoch, onB.expectDurable(identifier, "\"x1\"", stream, 1));
            // redis: every node receives the PUBLISH and delivers it to its own subscribers, not stored
            sdk.sync().publish("__anycable__", "[{\"stream\":\"" + stream + "\",\"data\":\"{\\\"p\\\":1}\"}]");
            onA.expect(Cable.messageFrame(identifier, "{\"p\":1}"));
            onB.expect(Cable.messageFrame(identifier, "{\"p\":1}"));
            WsClient.expectQuiet(b, stream, onA, onB); // each once
        } finally {
            raw.shutdown();
        }
    }

    @Test
    @Order(5)
    void aRemoteDisconnectOnAnyAdapterClosesThoseIdentifiersOnBothNodes() {
        RedisClient raw = RedisClient.create(REDIS.url());
        try (StatefulRedisConnection<String, String> sdk = raw.connect()) {
            TwoNodes.remoteDisconnectClosesThoseIdentifiersOnEveryNode(a, b, "http",
                    command -> assertEquals(201, b.broadcast(command).statusCode()));
            // redis: every node receives the PUBLISH and closes its own connections
            TwoNodes.remoteDisconnectClosesThoseIdentifiersOnEveryNode(a, b, "redis",
                    command -> sdk.sync().publish("__anycable__", command));
            // redisx: one node takes the entry and sends the command to every node
            TwoNodes.remoteDisconnectClosesThoseIdentifiersOnEveryNode(a, b, "redisx",
                    command -> sdk.sync().xadd("__anycable__", Map.of("payload", "[" + command + "]")));
        } finally {
            raw.shutdown();
        }
    }

    @Test
    @Order(6)
    void afterKillMinus9TheDeadNodesMembersLeaveOnceWithinTheTtlAndTheOthersStay() throws Exception {
        String stream = stream("cluster-kill");
        String identifier = signedIdentifier(stream);
        try (WsClient viewer = b.connect(); WsClient survivor = b.connect()) {
            subscribed(viewer, identifier);
            subscribed(survivor, identifier);
            WsClient doomed = a.connect();
            subscribed(doomed, identifier);
            doomed.send(command("join", identifier, "\"presence\":{\"id\":\"on-a\"}"));
            viewer.expect(presenceFrame(identifier, "{\"type\":\"join\",\"id\":\"on-a\",\"seq\":1}"));
            survivor.send(command("join", identifier, "\"presence\":{\"id\":\"on-b\"}"));
            viewer.expect(presenceFrame(identifier, "{\"type\":\"join\",\"id\":\"on-b\",\"seq\":2}"));
            // node a's webhook has sent its events (what a killed node had not sent yet is lost with it)
            assertEquals(List.of("channel_occupied", "member_added on-a #1", "member_added on-b #2"),
                    hooks.events(stream, 3).stream().sorted().toList()); // two nodes' POSTs: in either order
            long killed = System.nanoTime();
            nodeA.kill();
            viewer.expect(presenceFrame(identifier, "{\"type\":\"leave\",\"id\":\"on-a\",\"seq\":3}")); // node b's sweep numbers it
            double seconds = (System.nanoTime() - killed) / 1e9;
            assertTrue(seconds <= PRESENCE_TTL_SECONDS + 2, "left after " + seconds + " s");
            WsClient.expectQuiet(b, stream, viewer); // the leave queued once
            // the dead node's member left by a sweep of node b: reported once, by node b
            assertEquals(List.of("channel_occupied", "member_added on-a #1", "member_added on-b #2",
                    "member_removed on-a #3"),
                    hooks.events(stream, 4).stream().sorted().toList());
            assertEquals("{\"type\":\"info\",\"total\":1,\"seq\":3,\"records\":[{\"id\":\"on-b\"}]}",
                    b.get("api/presence/" + stream.replace(":", "%3A") + "/users", "Bearer " + Cable.API_KEY).body());
            doomed.abort();
        }
    }

    /**
     * Node a is started, gets members (one of its own per cycle, and one id also held on node b), and is killed,
     * twenty times, each start overlapping the previous members' expiry. In the end the set equals the live one:
     * every member that only a killed node held joined once and left once, the shared id never left, nobody is
     * missing.
     */
    @Test
    @Order(7)
    void twentyKillAndRestartCyclesEndWithThePresenceSetEqualToTheLiveOne() throws Exception {
        String stream = stream("cluster-cycles");
        String identifier = signedIdentifier(stream);
        Map<String, Integer> joins = new java.util.HashMap<>();
        Map<String, Integer> leaves = new java.util.HashMap<>();
        long[] seen = {0}; // the viewer sees the stream from its first transition: numbered 1, 2, 3… as they arrive
        java.util.function.Consumer<String> count = frame -> {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                    "\"type\":\"(join|leave)\",\"id\":\"([^\"]+)\".*,\"seq\":(\\d+)}}$").matcher(frame);
            assertTrue(m.find(), "only presence events expected: " + frame);
            (m.group(1).equals("join") ? joins : leaves).merge(m.group(2), 1, Integer::sum);
            assertEquals(++seen[0], Long.parseLong(m.group(3)), "the viewer's events in sequence: " + frame);
        };
        int cycles = 20;
        try (WsClient viewer = b.connect(); WsClient stay = b.connect(); WsClient shared = b.connect()) {
            subscribed(viewer, identifier);
            subscribed(stay, identifier);
            subscribed(shared, identifier);
            stay.send(command("join", identifier, "\"presence\":{\"id\":\"stay\"}"));
            stay.until(frame -> frame.contains("\"id\":\"stay\"")); // joined first: the info lists it first
            shared.send(command("join", identifier, "\"presence\":{\"id\":\"shared\"}"));
            for (int cycle = 1; cycle <= cycles; cycle++) {
                nodeA = node().awaitReady();
                a = cable(nodeA);
                WsClient own = a.connect();
                WsClient alsoShared = a.connect();
                subscribed(own, identifier);
                subscribed(alsoShared, identifier);
                String id = "c" + cycle;
                own.send(command("join", identifier, "\"presence\":{\"id\":\"" + id + "\"}"));
                alsoShared.send(command("join", identifier, "\"presence\":{\"id\":\"shared\"}"));
                viewer.until(frame -> {
                    count.accept(frame);
                    return frame.contains("\"id\":\"" + id + "\"");
                });
                alsoShared.send(command("presence", identifier, null)); // answered after its join is done
                alsoShared.until(frame -> frame.contains("\"type\":\"info\""));
                nodeA.kill();
                own.abort();
                alsoShared.abort();
            }
            // the last members leave within the lease and a sweep
            while (leaves.values().stream().mapToInt(Integer::intValue).sum() < cycles) {
                count.accept(viewer.next());
            }
            WsClient.expectQuiet(b, stream, viewer);
            for (int cycle = 1; cycle <= cycles; cycle++) {
                assertEquals(1, joins.getOrDefault("c" + cycle, 0), "joins of c" + cycle);
                assertEquals(1, leaves.getOrDefault("c" + cycle, 0), "leaves of c" + cycle);
            }
            assertEquals(Map.of("stay", 1, "shared", 1), Map.of("stay", joins.get("stay"), "shared",
                    joins.get("shared")));
            assertEquals(null, leaves.get("stay"));
            assertEquals(null, leaves.get("shared"));
            assertEquals("{\"type\":\"info\",\"total\":2,\"seq\":" + (2 + 2 * cycles)
                    + ",\"records\":[{\"id\":\"stay\"},{\"id\":\"shared\"}]}",
                    b.get("api/presence/" + stream.replace(":", "%3A") + "/users", "Bearer " + Cable.API_KEY).body());
        }
    }

    /**
     * Issue 24, the drain in a cluster: node a is stopped as an orchestrator stops it (SIGTERM: the undeploy tells
     * every connection server_restart over shutdown_drain_window). Its member reconnects to node b within the TTL and
     * joins under the same id: nobody sees it leave or join again, neither when it moves nor when the old session's
     * record expires, and the stream's member set stays [mover].
     */
    @Test
    @Order(8)
    void aMemberDrainedToTheOtherNodeWithinTheTtlNeitherLeavesNorJoinsAgain() throws Exception {
        String stream = stream("cluster-drain");
        String identifier = signedIdentifier(stream);
        nodeA.close(); // killed by the cycles before (or still the first one, when this test runs alone)
        nodeA = node("anycable.shutdown_drain_window=1").awaitReady();
        a = cable(nodeA);
        RedisClient raw = RedisClient.create(REDIS.url());
        try (WsClient viewer = b.connect(); StatefulRedisConnection<String, String> redis = raw.connect()) {
            subscribed(viewer, identifier);
            WsClient mover = a.connect();
            subscribed(mover, identifier);
            mover.send(command("join", identifier, "\"presence\":{\"id\":\"mover\"}"));
            viewer.expect(presenceFrame(identifier, "{\"type\":\"join\",\"id\":\"mover\",\"seq\":1}"));
            String sessions = "jcable:{" + stream + "}:ps"; // the stream's presence sessions (RedisKeys, lib.lua)
            List<String> old = redis.sync().hkeys(sessions); // the mover's session on node a
            assertEquals(1, old.size(), String.valueOf(old));
            var stopped = java.util.concurrent.CompletableFuture.runAsync(() -> {
                try {
                    nodeA.terminate();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            mover.until(frame -> frame.equals("{\"type\":\"disconnect\",\"reason\":\"server_restart\","
                    + "\"reconnect\":true}"));
            long told = System.nanoTime();
            try (WsClient moved = b.connect()) {
                subscribed(moved, identifier);
                moved.send(command("join", identifier, "\"presence\":{\"id\":\"mover\"}"));
                moved.send(command("presence", identifier, null)); // answered after the join is done
                moved.until(frame -> frame.contains("\"type\":\"info\""));
                double seconds = (System.nanoTime() - told) / 1e9;
                assertTrue(seconds < PRESENCE_TTL_SECONDS, "moved within the TTL, in " + seconds + " s");
                stopped.get(90, TimeUnit.SECONDS);
                // the old session's record expires (a TTL after node a let it go, by node b's sweep); a leave would
                // be published by the script that removes it, so once it is gone the barrier proves none came
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (redis.sync().hexists(sessions, old.get(0))) {
                    assertTrue(System.nanoTime() < until, "the old session's record never expired");
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
                }
                assertEquals(1L, redis.sync().hlen(sessions), "the moved session holds the member");
                WsClient.expectQuiet(b, stream, viewer);
                // seq 1: its join is still the stream's only transition
                assertEquals("{\"type\":\"info\",\"total\":1,\"seq\":1,\"records\":[{\"id\":\"mover\"}]}",
                        b.get("api/presence/" + stream.replace(":", "%3A") + "/users", "Bearer " + Cable.API_KEY)
                                .body());
            }
            mover.abort();
        } finally {
            raw.shutdown();
        }
    }
}
