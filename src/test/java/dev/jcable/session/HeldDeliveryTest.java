package dev.jcable.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Live messages of a subscription whose history is pending wait behind it, and only those. */
class HeldDeliveryTest {

    private final OutboxTest.FakeSocket socket = new OutboxTest.FakeSocket(true, "actioncable-v1-ext-json");
    private final CableSession session = new CableSession("sid-1", socket.session, 1_000_000, Long.MAX_VALUE,
            OutboxTest.DIRECT, Transports.portable());

    @Test
    void deliveriesGoStraightOutWhenNothingIsHeld() {
        session.deliver("a", new Frame("live-1"));
        assertEquals(List.of("live-1"), socket.frames);
    }

    /** The map of holds is made on the first hold (issue 26): before it, a release or discard changes nothing. */
    @Test
    void releasingOrDiscardingBeforeAnyHoldIsHarmless() {
        session.release("a");
        session.discard("a");
        session.deliver("a", new Frame("live-1"));
        assertEquals(List.of("live-1"), socket.frames);
    }

    /** Two first holds racing on a fresh session: both hold (neither is lost to the other's new map). */
    @Test
    void firstHoldsRacingOnAFreshSessionBothHold() throws Exception {
        for (int round = 0; round < 300; round++) {
            OutboxTest.FakeSocket fake = new OutboxTest.FakeSocket(true, "actioncable-v1-ext-json");
            CableSession fresh = new CableSession("sid-" + round, fake.session, Long.MAX_VALUE, Long.MAX_VALUE,
                    OutboxTest.DIRECT, Transports.portable());
            CyclicBarrier start = new CyclicBarrier(2);
            Thread other = new Thread(() -> {
                try {
                    start.await(10, TimeUnit.SECONDS);
                    fresh.hold("b");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            other.start();
            start.await(10, TimeUnit.SECONDS);
            fresh.hold("a");
            other.join(10_000);
            fresh.deliver("a", new Frame("a-1"));
            fresh.deliver("b", new Frame("b-1"));
            assertEquals(List.of(), fake.frames, "round " + round);
            fresh.release("b");
            fresh.release("a");
            assertEquals(List.of("b-1", "a-1"), fake.frames, "round " + round);
        }
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
        for (int i = 0; i < HeldFrames.MAX_HELD; i++) {
            session.deliver("a", new Frame("held-" + i));
        }
        session.deliver("a", new Frame("overflow"));
        assertEquals(List.of("overflow"), socket.frames);
        session.release("a");
        assertEquals(HeldFrames.MAX_HELD + 1, socket.frames.size());
        assertEquals("held-0", socket.frames.get(1));
    }

    /**
     * A publisher delivers the next live offset while another thread releases the hold: whatever the interleaving,
     * the client sees the held offsets first. Each round races one release against one delivery; before the fix the
     * live one overtook the held ones within a few rounds.
     */
    @Test
    void aDeliveryRacingTheReleaseNeverOvertakesWhatWasHeld() throws Exception {
        int held = 200;
        for (int round = 0; round < 300; round++) {
            OutboxTest.FakeSocket fake = new OutboxTest.FakeSocket(true, "actioncable-v1-ext-json");
            CableSession racing = new CableSession("sid-" + round, fake.session, Long.MAX_VALUE, Long.MAX_VALUE,
                    OutboxTest.DIRECT, Transports.portable());
            racing.hold("a");
            for (int offset = 1; offset <= held; offset++) {
                racing.deliver("a", new Frame("offset-" + offset));
            }
            CyclicBarrier start = new CyclicBarrier(2);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            CountDownLatch done = new CountDownLatch(1);
            Thread publisher = new Thread(() -> {
                try {
                    start.await(5, TimeUnit.SECONDS);
                    racing.deliver("a", new Frame("offset-" + (held + 1)));
                } catch (Exception e) {
                    failure.set(e);
                } finally {
                    done.countDown();
                }
            });
            publisher.start();
            start.await(5, TimeUnit.SECONDS);
            racing.release("a");
            assertEquals(true, done.await(5, TimeUnit.SECONDS));
            assertEquals(null, failure.get());
            assertEquals(held + 1, fake.frames.size(), "round " + round);
            for (int i = 0; i <= held; i++) {
                assertEquals("offset-" + (i + 1), fake.frames.get(i), "round " + round + ", frame " + i);
            }
        }
    }
}
