package dev.jcable.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.testsupport.ManualExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

/** Fan-outs off the publisher's thread: in order per stream, one executor task per burst, bounded, never lost. */
class DeliveryPoolTest {

    @Test
    void publishersReturnAtOnceAndEachStreamIsFannedOutInOrderByOneTaskPerBurst() {
        ManualExecutor executor = new ManualExecutor();
        DeliveryPool pool = new DeliveryPool(executor, 2);
        List<String> ran = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            int n = i;
            pool.submit("room", () -> ran.add("room:" + n));
        }
        assertEquals(List.of(), ran, "nothing runs on the publisher's thread");
        assertEquals(1, executor.submitted(), "one task for the burst, not one per publication");
        assertEquals(5, pool.queued());
        executor.runAll();
        assertEquals(List.of("room:1", "room:2", "room:3", "room:4", "room:5"), ran);
        assertEquals(0, pool.queued());
    }

    @Test
    void aLongQueueYieldsItsThreadAfterABurstAndGoesOnInOrder() {
        ManualExecutor executor = new ManualExecutor();
        DeliveryPool pool = new DeliveryPool(executor, 1);
        List<Integer> ran = new ArrayList<>();
        int total = DeliveryPool.BURST * 2 + 10;
        for (int i = 0; i < total; i++) {
            int n = i;
            pool.submit("room", () -> ran.add(n));
        }
        executor.runNext();
        assertEquals(DeliveryPool.BURST, ran.size());
        assertEquals(1, executor.size(), "the rest is resubmitted, not run on");
        executor.runAll();
        assertEquals(total, ran.size());
        for (int i = 0; i < total; i++) {
            assertEquals(i, ran.get(i));
        }
        assertEquals(3, executor.submitted());
    }

    @Test
    void fanOutsThatQueuedUpLeaveEachConnectionInOneWrite() {
        ManualExecutor executor = new ManualExecutor();
        DeliveryPool pool = new DeliveryPool(executor, 1);
        TransportRecorder recorder = new TransportRecorder();
        for (int i = 1; i <= 3; i++) {
            String frame = "event-" + i;
            pool.submit("room", () -> recorder.session.send(frame));
        }
        executor.runAll();
        assertEquals(List.of(List.of("event-1", "event-2", "event-3")), recorder.writes());

        pool.submit("room", () -> recorder.session.send("alone"));
        recorder.completeAll();
        executor.runAll();
        assertEquals(List.of("alone"), recorder.writes().get(1), "with nothing queued behind it, it goes at once");
    }

    @Test
    void aFailingFanOutDoesNotStopTheStreamsNextOnes() {
        ManualExecutor executor = new ManualExecutor();
        DeliveryPool pool = new DeliveryPool(executor, 1);
        List<String> ran = new ArrayList<>();
        pool.submit("room", () -> {
            throw new IllegalStateException("a subscriber's outbox threw");
        });
        pool.submit("room", () -> ran.add("next"));
        executor.runAll();
        assertEquals(List.of("next"), ran);
    }

    @Test
    void aFullStreamIsTurnedAwayWhileAnotherStreamOfItsShardStillTakesWork() {
        ManualExecutor executor = new ManualExecutor();
        DeliveryPool pool = new DeliveryPool(executor, 1); // one shard: both streams share it
        for (int i = 0; i < DeliveryPool.MAX_QUEUED; i++) {
            pool.submit("busy", () -> { });
        }
        assertFalse(pool.accepts("busy"));
        assertTrue(pool.accepts("quiet"), "the bound is per stream, as protocol.md says, not per shard");
        executor.runAll();
        assertTrue(pool.accepts("busy"));
    }

    @Test
    void aShardAsAWholeIsBoundedToo() {
        ManualExecutor executor = new ManualExecutor();
        DeliveryPool pool = new DeliveryPool(executor, 1);
        int streams = DeliveryPool.MAX_QUEUED_SHARD / DeliveryPool.MAX_QUEUED;
        for (int s = 0; s < streams; s++) {
            for (int i = 0; i < DeliveryPool.MAX_QUEUED; i++) {
                pool.submit("room" + s, () -> { });
            }
        }
        assertFalse(pool.accepts("another"), "many streams together cannot queue without bound");
        executor.runAll();
        assertTrue(pool.accepts("another"));
        assertEquals(0, pool.queued());
    }

    @Test
    void aStreamsBacklogDelaysAnotherStreamOfItsShardByOneFanOutNotByTheWholeBacklog() {
        ManualExecutor executor = new ManualExecutor();
        DeliveryPool pool = new DeliveryPool(executor, 1);
        List<String> ran = new ArrayList<>();
        for (int i = 1; i <= 100; i++) {
            int n = i;
            pool.submit("noisy", () -> ran.add("noisy:" + n));
        }
        pool.submit("quiet", () -> ran.add("quiet:1"));
        pool.submit("quiet", () -> ran.add("quiet:2"));
        executor.runAll();
        assertEquals(List.of("noisy:1", "quiet:1", "noisy:2", "quiet:2", "noisy:3"), ran.subList(0, 5));
        assertEquals(102, ran.size());
        List<String> noisy = ran.stream().filter(r -> r.startsWith("noisy")).toList();
        for (int i = 0; i < 100; i++) {
            assertEquals("noisy:" + (i + 1), noisy.get(i), "each stream still in order");
        }
    }

    @Test
    void aRefusedExecutorDeliversOnTheCallersThreadRatherThanLoseIt() {
        Executor refusing = task -> {
            throw new RejectedExecutionException("shutting down");
        };
        DeliveryPool pool = new DeliveryPool(refusing, 2);
        List<String> ran = new ArrayList<>();
        pool.submit("room", () -> ran.add("delivered"));
        assertEquals(List.of("delivered"), ran);
    }

    @Test
    void nothingRunsAfterStop() {
        ManualExecutor executor = new ManualExecutor();
        DeliveryPool pool = new DeliveryPool(executor, 2);
        List<String> ran = new ArrayList<>();
        pool.submit("room", () -> ran.add("queued before stop"));
        pool.stop();
        pool.submit("room", () -> ran.add("after stop"));
        executor.runAll();
        assertEquals(List.of(), ran);
        assertEquals(0, pool.queued());
    }
}
