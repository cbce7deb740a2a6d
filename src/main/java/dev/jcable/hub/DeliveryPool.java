package dev.jcable.hub;

import dev.jcable.session.WriteBatch;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs fan-outs off the publisher's thread, as AnyCable's hub does: a fixed number of shards, a stream always on the
 * same shard, each shard a FIFO whose tasks run one at a time. Fan-outs of one stream therefore run in the order
 * they were submitted (the broker submits in offset order), and a huge room holds only its own shard, never the
 * HTTP threads or the other rooms.
 *
 * <p>The executor runs one drain per burst of work, never one task per publication or per frame. In the server it is
 * a plain pool of the container's managed threads (see {@code Node}), not the managed executor: on Payara every
 * managed task pays a context capture that scans the application's jars. Within a drain the writes of
 * fan-outs that queued up behind each other are held in a {@link WriteBatch}, so each connection gets them in one
 * write.
 */
public final class DeliveryPool {

    private static final Logger LOG = Logger.getLogger(DeliveryPool.class.getName());

    /** Fan-outs waiting on one shard beyond which publishers are turned away ({@link #accepts}). */
    public static final int MAX_QUEUED = 10_000;
    /** Fan-outs one drain runs before it yields its thread to the executor's other work. */
    static final int BURST = 256;
    /**
     * While fan-outs queue up behind each other, their writes are held and flushed together every this many, so a
     * connection gets the frames of several events in one write; with nothing waiting, every fan-out flushes at once.
     */
    static final int FLUSH_EVERY = 32;

    private final Executor executor;
    private final Shard[] shards;
    private final AtomicBoolean rejectionReported = new AtomicBoolean();
    private volatile boolean stopped;

    public DeliveryPool(Executor executor, int shards) {
        this.executor = executor;
        this.shards = new Shard[shards];
        for (int i = 0; i < shards; i++) {
            this.shards[i] = new Shard();
        }
    }

    /** One shard per core, at least 2 (one busy room never stops the rest), at most 16. */
    public static int defaultShards() {
        return Math.max(2, Math.min(16, Runtime.getRuntime().availableProcessors()));
    }

    /** Whether a publication to {@code stream} may be taken now: false while its shard is {@link #MAX_QUEUED} deep. */
    public boolean accepts(String stream) {
        return shard(stream).size.get() < MAX_QUEUED;
    }

    /** Runs {@code fanout} after every fan-out submitted before it for the same stream. Never blocks. */
    public void submit(String stream, Runnable fanout) {
        if (!stopped) {
            shard(stream).add(fanout);
        }
    }

    /** Fan-outs waiting, all shards together; for tests and metrics. */
    public int queued() {
        int queued = 0;
        for (Shard shard : shards) {
            queued += shard.size.get();
        }
        return queued;
    }

    /** Drops what is still queued; nothing runs afterwards (undeploy: the executor is going away). */
    public void stop() {
        stopped = true;
        for (Shard shard : shards) {
            shard.queue.clear();
            shard.size.set(0);
        }
    }

    private Shard shard(String stream) {
        return shards[Math.floorMod(stream.hashCode(), shards.length)];
    }

    private final class Shard implements Runnable {
        final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
        final AtomicInteger size = new AtomicInteger();
        final AtomicBoolean scheduled = new AtomicBoolean();

        void add(Runnable fanout) {
            size.incrementAndGet();
            queue.add(fanout);
            if (scheduled.compareAndSet(false, true)) {
                schedule();
            }
        }

        private void schedule() {
            try {
                executor.execute(this);
            } catch (RejectedExecutionException e) {
                // the container refused (saturated, or shutting down): deliver on this thread rather than lose it
                if (rejectionReported.compareAndSet(false, true)) {
                    LOG.log(Level.WARNING, "jcable: the executor refused a fan-out; delivering on the caller's "
                            + "thread (reported once)", e);
                }
                run();
            }
        }

        @Override
        public void run() {
            int done = 0;
            Runnable fanout;
            try (WriteBatch batch = WriteBatch.open()) {
                while (done < BURST && !stopped && (fanout = queue.poll()) != null) {
                    size.decrementAndGet();
                    done++;
                    try {
                        fanout.run();
                    } catch (RuntimeException e) {
                        LOG.log(Level.WARNING, "jcable: a fan-out failed; the stream's next ones go on", e);
                    }
                    if (done % FLUSH_EVERY == 0 || queue.isEmpty()) {
                        batch.flush();
                    }
                }
            }
            scheduled.set(false);
            if (!stopped && !queue.isEmpty() && scheduled.compareAndSet(false, true)) {
                schedule();
            }
        }
    }
}
