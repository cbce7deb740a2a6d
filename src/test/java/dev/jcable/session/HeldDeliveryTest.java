package dev.jcable.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Live messages of a subscription whose history is pending wait behind it, and only those. */
class HeldDeliveryTest {

    private final OutboxTest.FakeSocket socket = new OutboxTest.FakeSocket(true, "actioncable-v1-ext-json");
    private final CableSession session = new CableSession("sid-1", socket.session, 1_000_000, OutboxTest.DIRECT, Transports.portable());

    @Test
    void deliveriesGoStraightOutWhenNothingIsHeld() {
        session.deliver("a", new Frame("live-1"));
        assertEquals(List.of("live-1"), socket.frames);
    }

    @Test
    void heldDeliveriesFollowTheHistorySentBeforeTheRelease() {
        session.hold("a");
        session.deliver("a", new Frame("live-3"));
        session.deliver("b", new Frame("other-1")); // another subscription is not held
        session.send("history-2");
        session.send("confirm_history");
        session.release("a");
        session.deliver("a", new Frame("live-4"));
        assertEquals(List.of("other-1", "history-2", "confirm_history", "live-3", "live-4"), socket.frames);
    }

    @Test
    void discardedHoldsSendNothingAndReleasingTwiceIsHarmless() {
        session.hold("a");
        session.deliver("a", new Frame("live-1"));
        session.discard("a");
        session.release("a");
        assertEquals(List.of(), socket.frames);
        session.deliver("a", new Frame("live-2"));
        assertEquals(List.of("live-2"), socket.frames);
    }

    @Test
    void aHoldIsBoundedAndOverflowGoesOutAtOnce() {
        session.hold("a");
        for (int i = 0; i < CableSession.MAX_HELD; i++) {
            session.deliver("a", new Frame("held-" + i));
        }
        session.deliver("a", new Frame("overflow"));
        assertEquals(List.of("overflow"), socket.frames);
        session.release("a");
        assertEquals(CableSession.MAX_HELD + 1, socket.frames.size());
        assertEquals("held-0", socket.frames.get(1));
    }
}
