package dev.jcable.broker.redis;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs what Redis pushes (pub/sub callbacks on Lettuce's event loop, which must not block) on the container's
 * executor: each stream hashes to one lane, a lane runs its tasks one at a time in arrival order, so a stream's
 * messages and presence events keep their order while other lanes run in parallel. A lane gives its thread back
 * after a batch, so a busy stream cannot starve the executor.
 */
final class Lanes {

    private static final Logger LOG = Logger.getLogger(Lanes.class.getName());
    private static final int BATCH = 256;

    private final Executor executor;
    private final Lane[] lanes;

    Lanes(Executor executor, int count) {
        this.executor = executor;
        this.lanes = new Lane[count];
        for (int i = 0; i < count; i++) {
            lanes[i] = new Lane();
        }
    }

    void execute(String stream, Runnable task) {
        lanes[Math.floorMod(stream.hashCode(), lanes.length)].add(task);
    }

    private final class Lane implements Runnable {
        private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean scheduled = new AtomicBoolean();

        void add(Runnable task) {
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
                }
            }
        }

        @Override
        public void run() {
            Runnable task;
            int done = 0;
            while (done++ < BATCH && (task = queue.poll()) != null) {
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
