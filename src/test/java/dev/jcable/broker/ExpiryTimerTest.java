package dev.jcable.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.protocol.PresenceEvent;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The expiry timer on a real single-thread scheduler and the wall clock; waits are latches, never sleeps. */
class ExpiryTimerTest {

    static final long FAR = 60_000;
    /** The scheduler waits on the monotonic clock; the wall clock may tick coarsely. */
    static final long CLOCK_SLACK = 10;

    ScheduledThreadPoolExecutor scheduler;
    ExpiryTimer timer;
    final List<Long> runs = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        scheduler = new ScheduledThreadPoolExecutor(1);
        scheduler.setRemoveOnCancelPolicy(true); // cancelled futures leave the queue, so it shows what is armed
        timer = new ExpiryTimer(scheduler, System::currentTimeMillis);
    }

    @AfterEach
    void shutdown() {
        scheduler.shutdownNow();
    }

    static long now() {
        return System.currentTimeMillis();
    }

    /** A task that records when it ran, counts down, and returns the next deadline from {@code next}. */
    LongSupplier task(CountDownLatch latch, LongSupplier next) {
        return () -> {
            runs.add(now());
            latch.countDown();
            return next.getAsLong();
        };
    }

    /** Waits until everything the scheduler's one thread was doing before now has finished. */
    void drainScheduler() throws Exception {
        scheduler.submit(() -> { }).get(5, TimeUnit.SECONDS);
    }

    long armedDelayMillis() {
        assertEquals(1, scheduler.getQueue().size(), "exactly one armed future");
        return ((java.util.concurrent.Delayed) scheduler.getQueue().peek()).getDelay(TimeUnit.MILLISECONDS);
    }

    @Test
    void runsOnceAtTheDeadline() throws Exception {
        CountDownLatch ran = new CountDownLatch(1);
        timer.setTask(task(ran, () -> Long.MAX_VALUE));
        long deadline = now() + 50;
        timer.at(deadline);
        assertTrue(ran.await(5, TimeUnit.SECONDS));
        drainScheduler();
        assertEquals(1, runs.size());
        assertTrue(runs.get(0) >= deadline - CLOCK_SLACK, "ran " + (deadline - runs.get(0)) + " ms early");
        assertTrue(scheduler.getQueue().isEmpty(), "nothing re-armed");
    }

    @Test
    void laterDeadlineDoesNotReplaceAnEarlierOne() throws Exception {
        CountDownLatch ran = new CountDownLatch(1);
        timer.setTask(task(ran, () -> Long.MAX_VALUE));
        timer.at(now() + 50);
        timer.at(now() + FAR);
        assertTrue(ran.await(5, TimeUnit.SECONDS), "the earlier deadline still fires");
        drainScheduler();
        assertEquals(1, runs.size());
    }

    @Test
    void laterDeadlineLeavesTheArmedFutureAlone() {
        timer.setTask(() -> Long.MAX_VALUE);
        timer.at(now() + FAR);
        timer.at(now() + 2 * FAR);
        long delay = armedDelayMillis();
        assertTrue(delay <= FAR && delay > FAR - 5_000, "armed in " + delay + " ms");
    }

    @Test
    void earlierDeadlineReplacesTheArmedOne() throws Exception {
        CountDownLatch ran = new CountDownLatch(1);
        timer.setTask(task(ran, () -> Long.MAX_VALUE));
        timer.at(now() + FAR);
        timer.at(now() + 50);
        assertTrue(ran.await(5, TimeUnit.SECONDS));
        drainScheduler();
        assertEquals(1, runs.size());
        assertTrue(scheduler.getQueue().isEmpty(), "the later future was cancelled");
    }

    @Test
    void pastDeadlineRunsRightAway() throws Exception {
        CountDownLatch ran = new CountDownLatch(1);
        timer.setTask(task(ran, () -> Long.MAX_VALUE));
        timer.at(now() - 1_000);
        assertTrue(ran.await(5, TimeUnit.SECONDS));
    }

    @Test
    void returnedDeadlineReArms() throws Exception {
        CountDownLatch twice = new CountDownLatch(2);
        timer.setTask(task(twice, () -> runs.size() == 1 ? now() + 50 : Long.MAX_VALUE));
        timer.at(now() + 10);
        assertTrue(twice.await(5, TimeUnit.SECONDS));
        drainScheduler();
        assertEquals(2, runs.size());
        assertTrue(runs.get(1) - runs.get(0) >= 50 - CLOCK_SLACK, "re-armed too early");
        assertTrue(scheduler.getQueue().isEmpty());
    }

    @Test
    void failingTaskIsRetried() throws Exception {
        CountDownLatch twice = new CountDownLatch(2);
        LongSupplier recording = task(twice, () -> Long.MAX_VALUE);
        timer.setTask(() -> {
            long next = recording.getAsLong();
            if (runs.size() == 1) {
                throw new IllegalStateException("first run fails");
            }
            return next;
        });
        Logger log = Logger.getLogger(ExpiryTimer.class.getName());
        Level level = log.getLevel();
        log.setLevel(Level.OFF); // the expected failure is logged as a WARNING
        try {
            timer.at(now());
            assertTrue(twice.await(5, TimeUnit.SECONDS));
        } finally {
            log.setLevel(level);
        }
    }

    @Test
    void stopCancelsTheArmedFuture() throws Exception {
        CountDownLatch ran = new CountDownLatch(1);
        timer.setTask(task(ran, () -> Long.MAX_VALUE));
        timer.at(now() + 100);
        timer.stop();
        assertTrue(scheduler.getQueue().isEmpty());
        // a marker due after the cancelled deadline: on one thread, the timer would have run before it
        scheduler.schedule(() -> { }, 300, TimeUnit.MILLISECONDS).get(5, TimeUnit.SECONDS);
        assertEquals(List.of(), runs);
    }

    @Test
    void stoppedTimerArmsNothing() {
        timer.setTask(() -> Long.MAX_VALUE);
        timer.stop();
        timer.at(now() + 50);
        assertTrue(scheduler.getQueue().isEmpty());
    }

    @Test
    void wakesTheMemoryBrokerAtTheTtl() throws Exception {
        CountDownLatch left = new CountDownLatch(1);
        MemoryBroker broker = new MemoryBroker(System::currentTimeMillis, new BrokerSettings(
                java.time.Duration.ofMillis(50), 100, 100, java.time.Duration.ofSeconds(300), java.time.Duration.ofSeconds(300)),
                timer);
        timer.setTask(broker::expire);
        broker.start(new BrokerListener() {
            @Override
            public void deliver(StreamMessage message) {
            }

            @Override
            public void presence(String stream, PresenceEvent event) {
                if (!event.join()) {
                    left.countDown();
                }
            }
        });
        broker.presenceAdd("s", "sid", "u1", null);
        broker.presenceDisconnected("sid");
        assertTrue(left.await(5, TimeUnit.SECONDS));
        drainScheduler();
        assertEquals(1, broker.presenceSessions()); // remembered as closed for the grace, then forgotten
        assertEquals(1, scheduler.getQueue().size(), "one wake-up armed: the one that forgets it");
    }

    /**
     * A run that has started (its future taken by the scheduler thread, not yet inside the timer) while a newer,
     * earlier deadline is armed: the newer future must stay the armed one, so that stop() still cancels it.
     */
    @Test
    void aRunStartingWhileANewerDeadlineIsArmedLeavesItCancellable() throws Exception {
        java.util.concurrent.atomic.AtomicReference<Thread> worker = new java.util.concurrent.atomic.AtomicReference<>();
        ScheduledThreadPoolExecutor capturing = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "expiry-test");
            worker.set(t);
            return t;
        });
        capturing.setRemoveOnCancelPolicy(true);
        java.util.concurrent.atomic.AtomicLong clock = new java.util.concurrent.atomic.AtomicLong(1_000);
        ExpiryTimer racing = new ExpiryTimer(capturing, clock::get);
        racing.setTask(() -> {
            runs.add(clock.get());
            return Long.MAX_VALUE;
        });
        try {
            synchronized (racing) {
                racing.at(1_000); // due now: the scheduler thread starts the run and waits for the timer's lock
                long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (worker.get() == null || worker.get().getState() != Thread.State.BLOCKED) {
                    assertTrue(System.nanoTime() < giveUp, "the run never started");
                    Thread.onSpinWait();
                }
                clock.set(0);
                racing.at(500); // earlier than the running deadline: armed anew, 500 ms from now
            }
            drainScheduler(capturing);
            racing.stop();
            assertTrue(capturing.getQueue().isEmpty(), "stop() cancelled the newer future");
            capturing.schedule(() -> { }, 800, TimeUnit.MILLISECONDS).get(5, TimeUnit.SECONDS);
            assertEquals(List.of(), runs, "nothing ran: the started run was superseded, the newer one cancelled");
        } finally {
            capturing.shutdownNow();
        }
    }

    static void drainScheduler(ScheduledThreadPoolExecutor executor) throws Exception {
        executor.submit(() -> { }).get(5, TimeUnit.SECONDS);
    }
}
