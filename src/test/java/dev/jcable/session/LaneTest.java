package dev.jcable.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.testsupport.ManualExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** One connection's lane: order, one step at once, async steps, the bound. */
class LaneTest {

    @Test
    void stepsOfManyThreadsRunInOfferOrderNeverTwoAtOnce() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(3);
        ExecutorService offerers = Executors.newFixedThreadPool(4);
        try {
            Lane lane = new Lane(pool, true);
            AtomicInteger running = new AtomicInteger();
            AtomicInteger overlaps = new AtomicInteger();
            List<List<Integer>> seen = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                seen.add(new CopyOnWriteArrayList<>());
            }
            int steps = 20_000;
            CountDownLatch done = new CountDownLatch(4 * steps);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                futures.add(offerers.submit(() -> {
                    go.await();
                    for (int i = 0; i < steps; i++) {
                        int n = i;
                        while (!lane.offer(() -> {
                            if (running.incrementAndGet() != 1) {
                                overlaps.incrementAndGet();
                            }
                            seen.get(thread).add(n);
                            running.decrementAndGet();
                            done.countDown();
                        })) {
                            Thread.onSpinWait(); // full: MAX_QUEUED wait; offer again once it drains
                        }
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> future : futures) {
                future.get(60, TimeUnit.SECONDS);
            }
            assertTrue(done.await(60, TimeUnit.SECONDS));
            assertEquals(0, overlaps.get(), "two steps of one lane ran at once");
            for (List<Integer> one : seen) {
                assertEquals(steps, one.size());
                for (int i = 0; i < steps; i++) {
                    assertEquals(i, one.get(i), "a thread's steps ran out of order");
                }
            }
        } finally {
            pool.shutdownNow();
            offerers.shutdownNow();
        }
    }

    @Test
    void anIdleInlineLaneRunsTheStepOnTheOfferingThread() {
        ManualExecutor executor = new ManualExecutor();
        Lane lane = new Lane(executor, true);
        List<String> ran = new ArrayList<>();
        assertTrue(lane.offer(() -> ran.add(Thread.currentThread().getName())));
        assertEquals(List.of(Thread.currentThread().getName()), ran);
        assertTrue(executor.isEmpty());
    }

    @Test
    void anAsyncStepHoldsLaterStepsBackWithoutAThreadWaiting() {
        ManualExecutor executor = new ManualExecutor();
        Lane lane = new Lane(executor, true);
        CompletableFuture<Void> call = new CompletableFuture<>();
        List<String> ran = new ArrayList<>();
        assertTrue(lane.offerAsync(() -> {
            ran.add("call sent");
            return call;
        }));
        assertTrue(lane.offer(() -> ran.add("next command")));
        lane.offerAlways(() -> ran.add("cleanup"));
        executor.runAll();
        assertEquals(List.of("call sent"), ran, "nothing of the connection runs while its call is pending");
        assertEquals(2, lane.queued());

        call.complete(null);
        executor.runAll();
        assertEquals(List.of("call sent", "next command", "cleanup"), ran);
        assertEquals(0, lane.queued());
    }

    @Test
    void aBusyLaneRefusesStepsBeyondItsBoundButNeverACleanup() {
        ManualExecutor executor = new ManualExecutor();
        Lane lane = new Lane(executor, false);
        AtomicInteger ran = new AtomicInteger();
        for (int i = 0; i < Lane.MAX_QUEUED; i++) {
            assertTrue(lane.offer(ran::incrementAndGet));
        }
        assertFalse(lane.offer(ran::incrementAndGet));
        lane.offerAlways(ran::incrementAndGet);
        executor.runAll();
        assertEquals(Lane.MAX_QUEUED + 1, ran.get());
        assertTrue(lane.offer(ran::incrementAndGet)); // drained: room again
    }

    @Test
    void aLaneWhoseExecutorIsGoneRunsOnTheOfferingThread() {
        Lane lane = new Lane(task -> {
            throw new RejectedExecutionException("undeployed");
        }, false);
        List<String> ran = new ArrayList<>();
        lane.offerAlways(() -> ran.add("cleanup"));
        assertEquals(List.of("cleanup"), ran);
    }

    @Test
    void aFailingStepDoesNotStopTheLane() {
        Lane lane = new Lane(Runnable::run, true);
        List<String> ran = new ArrayList<>();
        lane.offer(() -> {
            throw new IllegalStateException("boom");
        });
        lane.offer(() -> ran.add("after"));
        assertEquals(List.of("after"), ran);
    }
}
