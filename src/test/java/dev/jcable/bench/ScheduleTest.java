package dev.jcable.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The benchmark's publisher schedule (coordinated omission): on a virtual clock, a server that answers slower than
 * the period must not slow the schedule down nor hide in the stamps.
 */
class ScheduleTest {

    static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    static final long EPOCH0 = 1_700_000_000_000_000L; // the virtual clock's wall time at nanoTime 0, in µs

    /** A virtual clock: time moves only when the schedule waits, and completes the answers due by then. */
    static final class VirtualClock implements Schedule.Clock {
        long now;
        private final PriorityQueue<Object[]> due = new PriorityQueue<>((a, b) -> Long.compare((long) a[0], (long) b[0]));

        /** An answer that arrives {@code afterNanos} from now. */
        CompletableFuture<Void> answerIn(long afterNanos) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            due.add(new Object[] {now + afterNanos, f});
            return f;
        }

        @Override
        public long nanoTime() {
            return now;
        }

        @Override
        public long epochMicros() {
            return EPOCH0 + now / 1000;
        }

        @Override
        public void sleepUntil(long deadline) {
            while (!due.isEmpty() && (long) due.peek()[0] <= deadline) {
                next();
            }
            now = Math.max(now, deadline);
        }

        @Override
        public void await(CompletableFuture<?> f, long timeoutNanos) {
            long until = timeoutNanos == Long.MAX_VALUE ? Long.MAX_VALUE : now + timeoutNanos;
            while (!f.isDone() && !due.isEmpty() && (long) due.peek()[0] <= until) {
                next();
            }
            if (!f.isDone()) {
                now = Math.max(now, until == Long.MAX_VALUE ? now : until);
            }
        }

        @SuppressWarnings("unchecked")
        private void next() {
            Object[] d = due.poll();
            now = Math.max(now, (long) d[0]);
            ((CompletableFuture<Void>) d[1]).complete(null);
        }
    }

    record Sent(int seq, long stamp, long sentAt) {
    }

    @Test
    void aSlowServerDoesNotSlowTheScheduleAndEveryMessageCarriesItsScheduledTime() throws Exception {
        // 10 publications every 50 ms; each is answered 120 ms after it is sent (slower than the period)
        VirtualClock clock = new VirtualClock();
        Schedule schedule = new Schedule(clock, 100 * MS, 50 * MS, 10, 8);
        List<Sent> sent = new ArrayList<>();
        Schedule.Report report = schedule.run((seq, stamp) -> {
            sent.add(new Sent(seq, stamp, clock.now));
            return clock.answerIn(120 * MS);
        }, 10_000);

        for (int i = 0; i < 10; i++) {
            long scheduled = 100 * MS + i * 50 * MS;
            assertEquals(new Sent(i, EPOCH0 + scheduled / 1000, scheduled), sent.get(i), "publication " + i);
        }
        assertEquals(10, report.answered());
        assertEquals(0, report.maxLateMicros(), "the schedule was kept");
        assertEquals(3, report.maxOpen(), "120 ms answers at a 50 ms period: three in flight");
        assertEquals(0, report.heldByBound());
        assertTrue(report.kept(0));
        assertEquals(120.0, report.response().p95());
    }

    @Test
    void whenTheServerHoldsThePublisherBackLaterMessagesAreStillStampedWithTheirScheduledTimesAndTheirLatenciesGrow()
            throws Exception {
        // one publication in flight at a time (the Java-API publisher's broadcast call, or the in-flight bound
        // reached), each taking 120 ms against a 50 ms period: the publisher falls behind
        VirtualClock clock = new VirtualClock();
        Schedule schedule = new Schedule(clock, 0, 50 * MS, 6, 1);
        List<Sent> sent = new ArrayList<>();
        List<Long> latencies = new ArrayList<>(); // a subscriber's view: delivery (= the answer) − stamp, in µs
        Schedule.Report report = schedule.run((seq, stamp) -> {
            sent.add(new Sent(seq, stamp, clock.now));
            return clock.answerIn(120 * MS).thenRun(() -> latencies.add(clock.epochMicros() - stamp));
        }, 10_000);

        for (int i = 0; i < 6; i++) {
            assertEquals(EPOCH0 + i * 50_000L, sent.get(i).stamp(), "publication " + i + " carries its scheduled time");
            assertEquals(i * 120 * MS, sent.get(i).sentAt(), "publication " + i + " left when the one before was answered");
        }
        // delivered at (i + 1) × 120 ms, scheduled at i × 50 ms: 120, 190, 260, 330, 400, 470 ms
        assertEquals(List.of(120_000L, 190_000L, 260_000L, 330_000L, 400_000L, 470_000L), latencies);
        assertEquals(350_000, report.maxLateMicros(), "the last send left 5 × 120 − 5 × 50 ms late");
        assertEquals(5, report.heldByBound());
        assertEquals(1, report.maxOpen());
        assertFalse(report.kept(1));
        assertEquals(470.0, report.response().max(), "answer times count from the schedule too");
        assertEquals(6, report.answered());
        assertNull(report.firstFailure());
    }

    @Test
    void aPublisherThatBlocksInItsCallIsMeasuredFromTheScheduleToo() throws Exception {
        // a synchronous publish (the call itself takes 80 ms, period 20 ms): stamps stay on the schedule
        VirtualClock clock = new VirtualClock();
        Schedule schedule = new Schedule(clock, 0, 20 * MS, 4, 4);
        List<Long> stamps = new ArrayList<>();
        Schedule.Report report = schedule.run((seq, stamp) -> {
            stamps.add(stamp);
            clock.now += 80 * MS;
            return CompletableFuture.completedFuture(null);
        }, 1_000);
        assertEquals(List.of(EPOCH0, EPOCH0 + 20_000, EPOCH0 + 40_000, EPOCH0 + 60_000), stamps);
        assertEquals(180_000, report.maxLateMicros(), "the 4th call started at 240 ms, due at 60 ms");
        assertEquals(320.0 - 60.0, report.response().max(), "its answer came at 320 ms");
    }

    @Test
    void failuresAndUnansweredSendsAreCountedAndTheReportSurvivesTheWire() throws Exception {
        VirtualClock clock = new VirtualClock();
        Schedule schedule = new Schedule(clock, 0, 10 * MS, 3, 8);
        Schedule.Report report = schedule.run((seq, stamp) -> switch (seq) {
            case 0 -> CompletableFuture.failedFuture(new IllegalStateException("503 from\nthe server"));
            case 1 -> new CompletableFuture<>(); // never answered
            default -> clock.answerIn(5 * MS);
        }, 1_000);
        assertEquals(1, report.failed());
        assertEquals(1, report.unanswered());
        assertEquals(1, report.answered());
        assertEquals("java.lang.IllegalStateException: 503 from the server", report.firstFailure());
        assertEquals(report, Schedule.Report.parse(report.toWire()));
    }
}
