package dev.jcable.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.broker.Publication;
import dev.jcable.config.Option;
import dev.jcable.protocol.JsonText;
import dev.jcable.session.OutboxTest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Why a negative check needs a barrier through the delivery pool ({@link NodeHarness#quiesce}; in the ITs
 * {@code WsClient.expectQuiet(node, stream, subscribers)}), and that one works: fan-outs here run 300 ms after they
 * are queued, on another thread, as a busy container's pool runs them. The unwanted frame (a broadcast the test
 * makes) is then still on its way when the connection's pong arrives, so the old check (ping, then "the pong is the
 * next frame") passes although a frame is coming; the barrier waits for it and the same check fails, as it must.
 */
class QuiescenceTest {

    static final String EXT = "actioncable-v1-ext-json";
    static final String ROOM = JsonText.quote("{\"channel\":\"$pubsub\",\"stream_name\":\"room\"}");
    static final String PING = "{\"command\":\"ping\"}";
    static final String PONG = "{\"type\":\"pong\"}";
    static final String LATE = "{\"identifier\":" + ROOM + ",\"message\":\"late\",\"stream_id\":\"room\"";

    final ScheduledExecutorService pool = Executors.newSingleThreadScheduledExecutor();
    final NodeHarness harness = new NodeHarness(Map.of(Option.PUBLIC_STREAMS, "true", Option.PING_INTERVAL, "0"),
            (java.util.concurrent.Executor) task -> pool.schedule(task, 300, TimeUnit.MILLISECONDS));

    @AfterEach
    void stop() {
        harness.close();
        pool.shutdownNow();
    }

    @Test
    void aPongProvesNothingAboutALateFanOutAndTheBarrierDoes() {
        OutboxTest.FakeSocket observer = subscribed();
        harness.node.publish(new Publication("room", "late")); // returns once queued: the fan-out comes later

        // the old check: a ping command, and its pong as the next frame
        harness.node.receive(observer.session, PING, true);
        List<String> afterPong = List.copyOf(observer.frames);
        assertEquals(PONG, afterPong.get(afterPong.size() - 1), "the old check passes");
        assertFalse(afterPong.stream().anyMatch(f -> f.startsWith(LATE)), "while the broadcast is still coming");

        // the barrier: the stream's lane ran everything queued before its marker, so the late frame is there now
        harness.quiesce("room");
        List<String> afterBarrier = List.copyOf(observer.frames);
        assertTrue(afterBarrier.get(afterBarrier.size() - 1).startsWith(LATE), "the barrier sees it: " + afterBarrier);
    }

    @Test
    void theBarrierAddsNoFrame() {
        OutboxTest.FakeSocket observer = subscribed();
        int before = observer.frames.size();
        harness.quiesce("room", "elsewhere");
        assertEquals(before, observer.frames.size());
    }

    private OutboxTest.FakeSocket subscribed() {
        OutboxTest.FakeSocket socket = harness.open(EXT);
        harness.node.receive(socket.session, "{\"command\":\"subscribe\",\"identifier\":" + ROOM + "}", true);
        harness.quiesce("room"); // whatever of the subscribe runs on the stream's lane
        assertEquals("{\"type\":\"confirm_subscription\",\"identifier\":" + ROOM + "}",
                socket.frames.get(socket.frames.size() - 1));
        return socket;
    }
}
