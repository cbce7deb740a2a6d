package dev.jcable.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.broker.Publication;
import dev.jcable.config.Option;
import dev.jcable.hub.DeliveryPool;
import dev.jcable.metrics.Counter;
import dev.jcable.protocol.JsonText;
import dev.jcable.session.OutboxTest;
import dev.jcable.testsupport.ManualExecutor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The node's own bounds, end to end through a real node: identifiers, broadcasts, and the fan-out bound on every path
 * that queues a fan-out (publications, presence events, whispers).
 */
class NodeBoundsTest {

    private final NodeHarness harness = new NodeHarness(Map.of(Option.PUBLIC_STREAMS, "true",
            Option.MAX_IDENTIFIER_SIZE, "64", Option.MAX_BROADCAST_SIZE, "100", Option.PING_INTERVAL, "0"));

    @AfterEach
    void close() {
        harness.close();
    }

    @Test
    void anIdentifierLongerThanTheLimitIsRejected() {
        OutboxTest.FakeSocket socket = harness.open("actioncable-v1-ext-json");
        String fits = "{\"channel\":\"$pubsub\",\"stream_name\":\"" + "a".repeat(64 - 38) + "\"}";
        String longer = "{\"channel\":\"$pubsub\",\"stream_name\":\"" + "a".repeat(64 - 37) + "\"}";
        assertEquals(64, fits.length());
        harness.node.receive(socket.session, "{\"command\":\"subscribe\",\"identifier\":" + JsonText.quote(fits) + "}", true);
        harness.node.receive(socket.session, "{\"command\":\"subscribe\",\"identifier\":" + JsonText.quote(longer) + "}",
                true);
        assertEquals(List.of("{\"type\":\"confirm_subscription\",\"identifier\":" + JsonText.quote(fits) + "}",
                "{\"type\":\"reject_subscription\",\"identifier\":" + JsonText.quote(longer) + "}"),
                socket.frames.subList(1, 3));
        assertEquals(1, harness.session(socket).subscriptions().size());
    }

    @Test
    void aBroadcastOverTheLimitThrowsAndLeavesNoTrace() {
        harness.node.publish(new Publication("s", "x".repeat(100)));
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> harness.node.publish(new Publication("t", "x".repeat(101))));
        assertEquals("data of 101 characters is larger than max_broadcast_size (100)", refused.getMessage());
        assertEquals(1, harness.broker().historyStreams(), "only the first was stored");
        assertTrue(harness.broker().historyFrom("t", harness.broker().epoch(), 0, Long.MAX_VALUE).isEmpty());
    }

    private static final String ROOM = JsonText.quote("{\"channel\":\"$pubsub\",\"stream_name\":\"room\"}");

    private static OutboxTest.FakeSocket subscribed(NodeHarness held) {
        OutboxTest.FakeSocket socket = held.open("actioncable-v1-ext-json");
        held.node.receive(socket.session, "{\"command\":\"subscribe\",\"identifier\":" + ROOM + "}", true);
        return socket;
    }

    /** Fills the stream's fan-out queue to its bound with broadcasts, as a publisher that outruns it would. */
    private static void fill(NodeHarness held, String stream) {
        for (int i = 0; i < DeliveryPool.MAX_QUEUED; i++) {
            held.node.publish(new Publication(stream, "1"));
        }
        assertThrows(Overloaded.class, () -> held.node.publish(new Publication(stream, "1")));
    }

    @Test
    void presenceEventsOverTheStreamsBoundEndInOneOutOfSyncResyncAfterWhatWasQueued() {
        ManualExecutor deliveries = new ManualExecutor(); // fan-outs wait until the test runs them
        try (NodeHarness held = new NodeHarness(Map.of(Option.PUBLIC_STREAMS, "true", Option.PING_INTERVAL, "0",
                Option.HISTORY_LIMIT, "1"), deliveries)) {
            OutboxTest.FakeSocket watcher = subscribed(held);
            OutboxTest.FakeSocket joiner = subscribed(held);
            deliveries.runAll();
            fill(held, "room");
            long dropped = Counter.DROPPED_PRESENCE_EVENT.count();
            for (int i = 0; i < 3; i++) { // a join / leave flood: each event is over the bound
                held.node.receive(joiner.session, "{\"command\":\"join\",\"identifier\":" + ROOM
                        + ",\"presence\":{\"id\":\"42\"}}", true);
                held.node.receive(joiner.session, "{\"command\":\"leave\",\"identifier\":" + ROOM + "}", true);
            }
            assertEquals(6, Counter.DROPPED_PRESENCE_EVENT.count() - dropped, "every dropped event is counted");
            deliveries.runAll();
            for (OutboxTest.FakeSocket socket : List.of(watcher, joiner)) {
                List<String> frames = List.copyOf(socket.frames);
                assertEquals(DeliveryPool.MAX_QUEUED, frames.stream().filter(f -> f.startsWith("{\"identifier\"")
                        && f.contains("\"message\":1")).count(), "what was queued before still arrives");
                assertEquals(0, frames.stream().filter(f -> f.contains("\"type\":\"presence\"")).count());
                assertEquals(List.of("{\"type\":\"disconnect\",\"reason\":\"out_of_sync\",\"reconnect\":true}"),
                        frames.stream().filter(f -> f.contains("disconnect")).toList(), "one resync for six events");
                assertEquals("{\"type\":\"disconnect\",\"reason\":\"out_of_sync\",\"reconnect\":true}",
                        frames.get(frames.size() - 1), "after what was queued for it");
            }
        }
    }

    @Test
    void aWhisperOverTheStreamsBoundIsRefusedToItsSenderAndReachesNobody() {
        ManualExecutor deliveries = new ManualExecutor(); // fan-outs wait until the test runs them
        try (NodeHarness held = new NodeHarness(Map.of(Option.PUBLIC_STREAMS, "true", Option.PING_INTERVAL, "0",
                Option.HISTORY_LIMIT, "1"), deliveries)) {
            OutboxTest.FakeSocket other = subscribed(held);
            OutboxTest.FakeSocket sender = subscribed(held);
            deliveries.runAll();
            fill(held, "room");
            long dropped = Counter.DROPPED_WHISPER.count();
            held.node.receive(sender.session, "{\"command\":\"whisper\",\"identifier\":" + ROOM
                    + ",\"data\":{\"typing\":true}}", true);
            assertEquals("{\"type\":\"whisper_rejected\",\"identifier\":" + ROOM + ",\"reason\":\"overloaded\"}",
                    sender.frames.get(sender.frames.size() - 1), "its sender is told at once");
            assertEquals(1, Counter.DROPPED_WHISPER.count() - dropped);
            deliveries.runAll();
            assertEquals(0, other.frames.stream().filter(f -> f.contains("typing")).count(),
                    "nothing reached the others: every queue that could deliver it has drained");
            held.node.receive(sender.session, "{\"command\":\"whisper\",\"identifier\":" + ROOM
                    + ",\"data\":{\"typing\":false}}", true);
            deliveries.runAll();
            assertEquals("{\"identifier\":" + ROOM + ",\"message\":{\"typing\":false}}",
                    other.frames.get(other.frames.size() - 1), "once the stream has caught up, whispers go again");
        }
    }

    @Test
    void aReplyInStreamOrderOverTheBoundIsDroppedAndTheStreamResynced() {
        ManualExecutor deliveries = new ManualExecutor(); // fan-outs wait until the test runs them
        try (NodeHarness held = new NodeHarness(Map.of(Option.PUBLIC_STREAMS, "true", Option.PING_INTERVAL, "0",
                Option.HISTORY_LIMIT, "1"), deliveries)) {
            OutboxTest.FakeSocket subscriber = subscribed(held);
            deliveries.runAll();
            fill(held, "room");
            java.util.concurrent.atomic.AtomicBoolean ran = new java.util.concurrent.atomic.AtomicBoolean();
            held.node.inStreamOrder("room", () -> ran.set(true));
            deliveries.runAll();
            assertTrue(!ran.get(), "dropped, not queued past the bound");
            assertEquals("{\"type\":\"disconnect\",\"reason\":\"out_of_sync\",\"reconnect\":true}",
                    subscriber.frames.get(subscriber.frames.size() - 1), "its subscribers fetch the set afresh");
        }
    }
}
