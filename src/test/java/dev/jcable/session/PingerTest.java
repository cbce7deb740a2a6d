package dev.jcable.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Pinger}'s timers on a real scheduler: one per interval and precision, gone with their last session, all
 * gone after {@link Pinger#stop()} (an undeploy must leave nothing scheduled on the container's executor).
 */
class PingerTest {

    private final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
    private final Pinger pinger = new Pinger(scheduler);

    PingerTest() {
        scheduler.setRemoveOnCancelPolicy(true); // a cancelled timer leaves the queue, so the queue shows leaks
    }

    @AfterEach
    void shutdown() {
        scheduler.shutdownNow();
    }

    private static CableSession session(OutboxTest.FakeSocket socket) {
        return new CableSession("sid", socket.session, 10_000, Long.MAX_VALUE, OutboxTest.DIRECT,
                Transports.portable());
    }

    @Test
    void sessionsWithTheSameIntervalAndPrecisionShareOneTimer() {
        pinger.add(session(new OutboxTest.FakeSocket()), 3_000, "s");
        pinger.add(session(new OutboxTest.FakeSocket()), 3_000, "s");
        pinger.add(session(new OutboxTest.FakeSocket()), 3_000, "ms");
        pinger.add(session(new OutboxTest.FakeSocket()), 1_000, "s");
        pinger.add(session(new OutboxTest.FakeSocket()), 0, "s"); // pi=0: no pings, no timer
        assertEquals(3, pinger.timers());
        assertEquals(3, scheduler.getQueue().size());
    }

    @Test
    void aGroupsTimerGoesWithItsLastSession() {
        CableSession a = session(new OutboxTest.FakeSocket());
        CableSession b = session(new OutboxTest.FakeSocket());
        pinger.add(a, 3_000, "s");
        pinger.add(b, 3_000, "s");
        pinger.remove(a);
        assertEquals(1, scheduler.getQueue().size());
        pinger.remove(b);
        assertEquals(0, pinger.timers());
        assertEquals(0, scheduler.getQueue().size());
    }

    @Test
    void stopCancelsEveryTimerAndLaterSessionsGetNone() {
        pinger.add(session(new OutboxTest.FakeSocket()), 3_000, "s");
        pinger.add(session(new OutboxTest.FakeSocket()), 5_000, "ns");
        pinger.stop();
        assertEquals(0, scheduler.getQueue().size());
        pinger.add(session(new OutboxTest.FakeSocket()), 3_000, "s"); // a connection racing the drain
        assertEquals(0, pinger.timers());
        assertEquals(0, scheduler.getQueue().size());
    }

    /**
     * One pass per interval on an injected clock: every session of the group gets the tick's timestamp, and a
     * connection whose write never completes (a client that stopped reading) delays no other, tick after tick.
     */
    @Test
    void onePassPingsEverySessionAtTheClocksTimeAndAStalledOneDelaysNoOne() {
        AtomicLong now = new AtomicLong(1_700_000_000_123L);
        Pinger timed = new Pinger(scheduler, now::get);
        OutboxTest.FakeSocket stalled = new OutboxTest.FakeSocket(false, "actioncable-v1-json");
        OutboxTest.FakeSocket a = new OutboxTest.FakeSocket(true, "actioncable-v1-json");
        OutboxTest.FakeSocket b = new OutboxTest.FakeSocket(true, "actioncable-v1-json");
        timed.add(session(stalled), 3_600_000, "ms"); // the scheduler's own tick is an hour away
        timed.add(session(a), 3_600_000, "ms");
        timed.add(session(b), 3_600_000, "ms");
        timed.tickNow();
        now.set(1_700_000_003_123L);
        timed.tickNow();
        List<String> expected = List.of("{\"type\":\"ping\",\"message\":1700000000123}",
                "{\"type\":\"ping\",\"message\":1700000003123}");
        assertEquals(expected, a.frames);
        assertEquals(expected, b.frames);
        assertEquals(expected.subList(0, 1), stalled.frames, "its first write never completed: the second waits");
        assertEquals(1, timed.timers());
        timed.stop();
    }

    @Test
    void eachTickSendsOnePingToEverySessionOfTheGroup() throws InterruptedException {
        OutboxTest.FakeSocket first = new OutboxTest.FakeSocket(true, "actioncable-v1-json");
        OutboxTest.FakeSocket second = new OutboxTest.FakeSocket(true, "actioncable-v1-json");
        pinger.add(session(first), 10, "ms");
        pinger.add(session(second), 10, "ms");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while ((first.frames.size() < 2 || second.frames.size() < 2) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        for (OutboxTest.FakeSocket socket : new OutboxTest.FakeSocket[] {first, second}) {
            List<String> pings;
            synchronized (socket.frames) { // the timer goes on adding while this reads
                pings = List.copyOf(socket.frames);
            }
            assertTrue(pings.size() >= 2, "pings: " + pings);
            for (String frame : pings) {
                assertTrue(frame.matches("\\{\"type\":\"ping\",\"message\":\\d{13}\\}"), frame);
            }
        }
    }
}
