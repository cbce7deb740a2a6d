package dev.jcable.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link OneShots} on a real scheduler: tasks run once and are forgotten; stop() leaves nothing scheduled. */
class OneShotsTest {

    private final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
    private final OneShots oneShots = new OneShots(scheduler);

    OneShotsTest() {
        scheduler.setRemoveOnCancelPolicy(true); // a cancelled task leaves the queue, so the queue shows leaks
    }

    @AfterEach
    void shutdown() {
        scheduler.shutdownNow();
    }

    @Test
    void aTaskRunsOnceAndIsNoLongerPending() throws InterruptedException {
        CountDownLatch ran = new CountDownLatch(1);
        oneShots.schedule(ran::countDown, 1);
        assertTrue(ran.await(5, TimeUnit.SECONDS));
        scheduler.shutdown();
        assertTrue(scheduler.awaitTermination(5, TimeUnit.SECONDS));
        assertEquals(0, oneShots.pending());
    }

    @Test
    void stopCancelsWhatIsPendingAndSchedulesNothingAfterwards() {
        AtomicInteger runs = new AtomicInteger();
        oneShots.schedule(runs::incrementAndGet, 60_000);
        oneShots.schedule(runs::incrementAndGet, 30_000);
        assertEquals(2, scheduler.getQueue().size());
        oneShots.stop();
        assertEquals(0, scheduler.getQueue().size());
        assertEquals(0, oneShots.pending());
        oneShots.schedule(runs::incrementAndGet, 0); // e.g. a disconnect's grace asked for during the drain
        assertEquals(0, scheduler.getQueue().size());
        assertEquals(0, runs.get());
    }

    @Test
    void aRejectingSchedulerDropsTheTask() {
        scheduler.shutdown();
        oneShots.schedule(() -> { }, 10);
        assertEquals(0, oneShots.pending());
    }
}
