package dev.jcable.broker.redis;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs what Redis pushes (pub/sub callbacks on Lettuce's event loop, which must not block) on the container's
 * executor: each stream hashes to one lane, a lane runs its tasks one at a time in arrival order, so a stream's
 * messages and presence events keep their order while other lanes run in parallel. A lane gives its thread back
 * after a batch, so a busy stream cannot starve the executor.
 *
 * <p>A lane holds at most {@link #LIMIT} offered tasks: a node that falls behind what Redis pushes refuses the rest
 * ({@link #offer} answers false) rather than queue without bound, and the caller makes up for what it refused
 * ({@link StreamFeeds} resyncs the stream). {@link #execute} always queues: for the few tasks that must not be lost
 * (at most one per stream at a time).
 */
final class Lanes {

    private static final Logger LOG = Logger.getLogger(Lanes.class.getName());
    /** Tasks one lane holds before it refuses offers. */
    static final int LIMIT = 10_000;
    private static final int BATCH = 256;

    private final Executor executor;
    private final Lane[] lanes;
    private final int limit;

    Lanes(Executor executor, int count) {
        this(executor, count, LIMIT);
    }

    Lanes(Executor executor, int count, int limit) {
        this.executor = executor;
        this.limit = limit;
        this.lanes = new Lane[count];
        for (int i = 0; i < count; i++) {
            lanes[i] = new Lane();
        }
    }

    /** Queues {@code task} on the stream's lane unless that holds {@link #LIMIT} tasks already; false then. */
    boolean offer(String stream, Runnable task) {
        Lane lane = lane(stream);
        if (lane.size.get() >= limit) {
            return false;
        }
        lane.add(task);
        return true;
    }

    /** Queues {@code task} on the stream's lane whatever it holds. */
    void execute(String stream, Runnable task) {
        lane(stream).add(task);
    }

    /** Tasks waiting, all lanes together; for tests and metrics. */
    int queued() {
        int queued = 0;
        for (Lane lane : lanes) {
            queued += lane.size.get();
        }
        return queued;
    }

    private Lane lane(String stream) {
        return lanes[Math.floorMod(stream.hashCode(), lanes.length)];
    }

    private final class Lane implements Runnable {
        private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
        private final AtomicInteger size = new AtomicInteger();
        private final AtomicBoolean scheduled = new AtomicBoolean();

        void add(Runnable task) {
            size.incrementAndGet();
            queue.add(task);
            schedule();
        }

        private void schedule() {
            if (scheduled.compareAndSet(false, true)) {
                try {
                    executor.execute(this);
                } catch (RejectedExecutionException e) {
                    scheduled.set(false); // undeploying: nothing is delivered any more
                    queue.clear();
                    size.set(0);
                }
            }
        }

        @Override
        public void run() {
            Runnable task;
            int done = 0;
            while (done++ < BATCH && (task = queue.poll()) != null) {
                size.decrementAndGet();
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "jcable: a Redis delivery task failed", e);
                }
            }
            scheduled.set(false);
            if (!queue.isEmpty()) {
                schedule();
            }
        }
    }
}
