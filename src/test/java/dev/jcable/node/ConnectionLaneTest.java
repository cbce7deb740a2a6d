package dev.jcable.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.api.CableChannel;
import dev.jcable.api.ChannelContext;
import dev.jcable.channels.ChannelType;
import dev.jcable.channels.Channels;
import dev.jcable.config.Option;
import dev.jcable.protocol.JsonText;
import dev.jcable.protocol.PresenceInfo;
import dev.jcable.session.OutboxTest;
import jakarta.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One connection, one lane: a close racing a command, on a real node. Each test holds one side of the race inside
 * the application's channel (a latch), so the other side provably arrives while it runs.
 */
class ConnectionLaneTest {

    static final String EXT = "actioncable-v1-ext-json";
    static final String ROOM = "{\"channel\":\"SlowChannel\"}";
    static final String PUBSUB = "{\"channel\":\"$pubsub\",\"stream_name\":\"lobby\"}";

    /** A channel whose calls can be held inside, and that notes when two of them overlap. */
    @CableChannel("SlowChannel")
    public static class Slow {
        final List<String> calls = new CopyOnWriteArrayList<>();
        final AtomicBoolean inside = new AtomicBoolean();
        final AtomicBoolean overlapped = new AtomicBoolean();
        volatile CountDownLatch entered = new CountDownLatch(1);
        volatile CountDownLatch release = new CountDownLatch(0);
        volatile boolean holdUnsubscribed;
        volatile ChannelContext kept;

        public void subscribed(ChannelContext channel) {
            channel.streamFrom("slow");
            kept = channel;
        }

        public void hold(ChannelContext channel, JsonObject data) throws InterruptedException {
            enter("hold");
            try {
                release.await(30, TimeUnit.SECONDS);
            } finally {
                leave("hold");
            }
        }

        public void unsubscribed(ChannelContext channel) throws InterruptedException {
            enter("unsubscribed");
            try {
                if (holdUnsubscribed) {
                    release.await(30, TimeUnit.SECONDS);
                }
            } finally {
                leave("unsubscribed");
            }
        }

        private void enter(String call) {
            if (!inside.compareAndSet(false, true)) {
                overlapped.set(true);
            }
            calls.add(call + " begins");
            entered.countDown();
        }

        private void leave(String call) {
            calls.add(call + " ends");
            inside.set(false);
        }
    }

    private final Slow slow = new Slow();
    private final NodeHarness harness = new NodeHarness(Map.of(Option.PING_INTERVAL, "0", Option.PUBLIC_STREAMS,
            "true", Option.PRESENCE_TTL, "60"), Channels.of(List.of(ChannelType.of(Slow.class, slow, Runnable::run))),
            null);
    private final ExecutorService container = Executors.newSingleThreadExecutor();

    @AfterEach
    void close() {
        container.shutdownNow();
        harness.close();
    }

    private static String frame(String command, String identifier, String more) {
        return "{\"command\":\"" + command + "\",\"identifier\":" + JsonText.quote(identifier) + more + "}";
    }

    /** The container closes the socket while an action runs: the channel's unsubscribed waits for the action. */
    @Test
    void theCleanupOfAContainerCloseWaitsForTheRunningAction() throws Exception {
        OutboxTest.FakeSocket socket = harness.open(EXT);
        harness.node.receive(socket.session, frame("subscribe", ROOM, ""), true);
        slow.release = new CountDownLatch(1);
        Future<?> action = container.submit(() -> harness.node.receive(socket.session,
                frame("message", ROOM, ",\"data\":\"{\\\"action\\\":\\\"hold\\\"}\""), true));
        assertTrue(slow.entered.await(30, TimeUnit.SECONDS));

        harness.node.close(socket.session); // returns at once: the cleanup waits its turn on the lane
        assertEquals(List.of("hold begins"), slow.calls);
        assertEquals(1, harness.node.connections());

        slow.release.countDown();
        action.get(30, TimeUnit.SECONDS);
        assertEquals(List.of("hold begins", "hold ends", "unsubscribed begins", "unsubscribed ends"), slow.calls);
        assertFalse(slow.overlapped.get(), "unsubscribed ran beside the action");
        assertEquals(0, harness.node.connections());
        assertEquals(0, harness.hub().streamCount());
    }

    /**
     * The race: a subscribe and a join that reach the node while its close is under way (here: inside the
     * channel's unsubscribed). They are refused: the session is not left in the hub, the member is never recorded.
     */
    @Test
    void commandsArrivingWhileTheCloseRunsAreRefused() throws Exception {
        OutboxTest.FakeSocket socket = harness.open(EXT);
        harness.node.receive(socket.session, frame("subscribe", ROOM, ""), true);
        harness.node.receive(socket.session, frame("subscribe", PUBSUB, ""), true);
        slow.holdUnsubscribed = true;
        slow.release = new CountDownLatch(1);
        Future<?> closing = container.submit(() -> harness.node.close(socket.session));
        assertTrue(slow.entered.await(30, TimeUnit.SECONDS));

        String other = "{\"channel\":\"$pubsub\",\"stream_name\":\"other\"}";
        harness.node.receive(socket.session, frame("subscribe", other, ""), true); // queued: returns at once
        harness.node.receive(socket.session, frame("join", PUBSUB, ",\"presence\":{\"id\":\"u1\"}"), true);
        int framesBefore = socket.frames.size();

        slow.release.countDown();
        closing.get(30, TimeUnit.SECONDS);
        assertEquals(0, harness.hub().streamCount(), "a subscription attached after the close");
        assertEquals(PresenceInfo.EMPTY, harness.broker().presenceInfo("lobby"), "a member joined after the close");
        assertEquals(framesBefore, socket.frames.size(), "a refused command is not answered: " + socket.frames);
        assertEquals(0, harness.node.connections());
    }

    @Test
    void aChannelContextUsedAfterItsMethodReturnedThrows() {
        OutboxTest.FakeSocket socket = harness.open(EXT);
        harness.node.receive(socket.session, frame("subscribe", ROOM, ""), true);
        ChannelContext kept = slow.kept;
        assertNotNull(kept);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> kept.transmit("late"));
        assertTrue(e.getMessage().contains("after its channel method returned"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> kept.joinPresence("u1", null));
        assertThrows(IllegalStateException.class, kept::params);
    }
}
