package dev.jcable.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.config.Option;
import dev.jcable.protocol.JsonText;
import dev.jcable.session.OutboxTest;
import dev.jcable.testsupport.RedisServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 20: a presence frame carries its transition's sequence number, the same on every node. Two real nodes on one
 * Redis, a watcher on each: the frames of the same transitions are the same on both, numbered 1, 2, 3… in the order
 * they arrive, and a {@code presence} info reply is numbered as the last transition its member list includes.
 */
class ClusterPresenceSeqTest {

    @RegisterExtension
    static final RedisServer.PerClass REDIS = new RedisServer.PerClass();

    private static final String EXT = "actioncable-v1-ext-json";
    private static final String ROOM = "{\"channel\":\"$pubsub\",\"stream_name\":\"room\"}";
    private static final String PRESENCE = "{\"type\":\"presence\",\"identifier\":" + JsonText.quote(ROOM)
            + ",\"message\":";

    private final List<NodeHarness> nodes = new ArrayList<>();

    private NodeHarness node(String prefix) {
        NodeHarness node = new NodeHarness(Map.of(Option.BROKER, "redis", Option.REDIS_URL, REDIS.url(),
                Option.REDIS_PREFIX, prefix, Option.PING_INTERVAL, "0", Option.PUBLIC_STREAMS, "true",
                Option.PRESENCE_TTL, "0"));
        nodes.add(node);
        return node;
    }

    @AfterEach
    void close() {
        nodes.forEach(NodeHarness::close);
    }

    private static void send(NodeHarness node, OutboxTest.FakeSocket socket, String command, String more) {
        node.node.receive(socket.session, "{\"command\":\"" + command + "\",\"identifier\":" + JsonText.quote(ROOM)
                + more + "}", true);
    }

    /** A connection subscribed to the room, a member as {@code id} unless it is null. */
    private static OutboxTest.FakeSocket subscribed(NodeHarness node, String id) {
        OutboxTest.FakeSocket socket = node.open(EXT);
        send(node, socket, "subscribe", id == null ? "" : ",\"presence\":{\"id\":\"" + id + "\"}");
        return socket;
    }

    private static List<String> presenceEvents(OutboxTest.FakeSocket socket) {
        synchronized (socket.frames) {
            return socket.frames.stream().filter(f -> f.startsWith(PRESENCE + "{\"type\":\"join\"")
                    || f.startsWith(PRESENCE + "{\"type\":\"leave\"")).toList();
        }
    }

    /** The info reply, the one frame of its kind (an event of before it may still arrive after it). */
    private static String info(OutboxTest.FakeSocket socket) {
        synchronized (socket.frames) {
            List<String> infos = socket.frames.stream().filter(f -> f.startsWith(PRESENCE + "{\"type\":\"info\""))
                    .toList();
            assertEquals(1, infos.size(), socket.frames.toString());
            return infos.get(0);
        }
    }

    private static boolean await(BooleanSupplier condition) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); // generous: the machine is shared
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > until) {
                return false;
            }
            Thread.sleep(10); // poll interval of the condition
        }
        return true;
    }

    private static String join(String id, long seq) {
        return PRESENCE + "{\"type\":\"join\",\"id\":\"" + id + "\",\"seq\":" + seq + "}}";
    }

    private static String leave(String id, long seq) {
        return PRESENCE + "{\"type\":\"leave\",\"id\":\"" + id + "\",\"seq\":" + seq + "}}";
    }

    @Test
    void bothNodesFramesCarryTheSameNumbersAndTheInfoTheNumberOfItsState() throws Exception {
        NodeHarness a = node("seq-frames");
        NodeHarness b = node("seq-frames");
        OutboxTest.FakeSocket onA = subscribed(a, null);
        OutboxTest.FakeSocket onB = subscribed(b, null);

        OutboxTest.FakeSocket first = subscribed(a, "first");
        subscribed(b, "second");
        send(b, onB, "presence", "");
        assertEquals(PRESENCE + "{\"type\":\"info\",\"total\":2,\"seq\":2,\"records\":[{\"id\":\"first\"},"
                + "{\"id\":\"second\"}]}}", info(onB), "read with the set: both joins, whatever of their frames is still on its way");
        send(a, first, "leave", "");
        List<String> expected = List.of(join("first", 1), join("second", 2), leave("first", 3));
        assertTrue(await(() -> presenceEvents(onA).size() == 3 && presenceEvents(onB).size() == 3),
                onA.frames + " / " + onB.frames);
        assertEquals(expected, presenceEvents(onA));
        assertEquals(expected, presenceEvents(onB), "node b's frames of the same transitions: the same numbers");
        send(a, onA, "presence", "");
        assertEquals(PRESENCE + "{\"type\":\"info\",\"total\":1,\"seq\":3,\"records\":[{\"id\":\"second\"}]}}",
                info(onA));
    }

    /** Members come and go on both nodes at once: each node's frames are numbered 1..n in order, alike on both. */
    @Test
    void concurrentTransitionsOnBothNodesAreNumberedAlikeInFrameOrder() throws Exception {
        NodeHarness a = node("seq-race");
        NodeHarness b = node("seq-race");
        OutboxTest.FakeSocket onA = subscribed(a, null);
        OutboxTest.FakeSocket onB = subscribed(b, null);
        int perNode = 20;
        CompletableFuture<Void> churnA = CompletableFuture.runAsync(() -> churn(a, "a", perNode));
        CompletableFuture<Void> churnB = CompletableFuture.runAsync(() -> churn(b, "b", perNode));
        churnA.get(60, TimeUnit.SECONDS);
        churnB.get(60, TimeUnit.SECONDS);
        int transitions = 2 * 2 * perNode; // a join and a leave per member
        assertTrue(await(() -> presenceEvents(onA).size() == transitions && presenceEvents(onB).size() == transitions),
                presenceEvents(onA).size() + " / " + presenceEvents(onB).size());
        List<String> framesA = presenceEvents(onA);
        for (int i = 0; i < transitions; i++) {
            assertTrue(framesA.get(i).endsWith(",\"seq\":" + (i + 1) + "}}"), "in order, no gap: " + framesA);
        }
        assertEquals(framesA, presenceEvents(onB), "the same transitions with the same numbers, in the same order");
    }

    /** Each member joins, and leaves once the next has joined: the two nodes' transitions interleave. */
    private static void churn(NodeHarness node, String name, int members) {
        OutboxTest.FakeSocket previous = null;
        for (int i = 0; i < members; i++) {
            OutboxTest.FakeSocket member = subscribed(node, name + i);
            if (previous != null) {
                node.node.close(previous.session); // presence_ttl 0: it leaves now
            }
            previous = member;
        }
        node.node.close(previous.session);
    }
}
