package dev.jcable.hub;

import dev.jcable.session.WriteBatch;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs fan-outs off the publisher's thread, as AnyCable's hub does: a fixed number of shards, a stream always on the
 * same shard, each shard drained by one thread at a time. Fan-outs of one stream run in the order they were submitted
 * (the broker submits in offset order), and a huge room holds only its own shard, never the HTTP threads or the other
 * shards.
 *
 * <p>Within a shard each stream has a queue of its own, and the shard takes the streams with work in turn, one
 * fan-out each: a stream with thousands of fan-outs waiting delays another stream of its shard by at most one of
 * them, never by its whole backlog. Bounded: a stream holds at most {@link #MAX_QUEUED} fan-outs and a shard at most
 * {@link #MAX_QUEUED_SHARD} ({@link #accepts}); callers check before they submit, and each says what happens to work
 * over the bound (docs/configuration.md, "What the limits bound").
 *
 * <p>The executor runs one drain per burst of work, never one task per publication or per frame. In the server it is
 * a plain pool of the container's managed threads (see {@code Node}), not the managed executor: on Payara every
 * managed task pays a context capture that scans the application's jars. Within a drain the writes of
 * fan-outs that queued up behind each other are held in a {@link WriteBatch}, so each connection gets them in one
 * write.
 */
public final class DeliveryPool {

    private static final Logger LOG = Logger.getLogger(DeliveryPool.class.getName());

    /** Fan-outs waiting for one stream beyond which {@link #accepts} says no. */
    public static final int MAX_QUEUED = 10_000;
    /** Fan-outs waiting on one shard, all its streams together, beyond which {@link #accepts} says no. */
    public static final int MAX_QUEUED_SHARD = 100_000;
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

    /**
     * Whether another fan-out of {@code stream} may be queued now: false while the stream has {@link #MAX_QUEUED}
     * waiting, or its shard {@link #MAX_QUEUED_SHARD}. O(1).
     */
    public boolean accepts(String stream) {
        Shard shard = shard(stream);
        if (shard.size.get() >= MAX_QUEUED_SHARD) {
            return false;
        }
        Lane lane = shard.lanes.get(stream);
        return lane == null || lane.count < MAX_QUEUED;
    }

    /**
     * Runs {@code fanout} after every fan-out submitted before it for the same stream. Never blocks, and never refuses:
     * the bound is the caller's to check ({@link #accepts}), so that a caller that must not lose a task (a resync
     * marker) can still queue it.
     */
    public void submit(String stream, Runnable fanout) {
        if (!stopped) {
            shard(stream).add(stream, fanout);
        }
    }

    /** Fan-outs waiting, all shards together; for tests and metrics. O(shards). */
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
            shard.ready.clear();
            shard.lanes.clear();
            shard.size.set(0);
        }
    }

    private Shard shard(String stream) {
        return shards[Math.floorMod(stream.hashCode(), shards.length)];
    }

    /** One stream's fan-outs on its shard. Guarded by its own monitor; gone from the shard once empty. */
    private static final class Lane {
        final String stream;
        final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
        volatile int count;
        boolean removed;

        Lane(String stream) {
            this.stream = stream;
        }
    }

    private final class Shard implements Runnable {
        final ConcurrentHashMap<String, Lane> lanes = new ConcurrentHashMap<>();
        /** Streams with work, each once, in the order they take their turns. */
        final ConcurrentLinkedQueue<Lane> ready = new ConcurrentLinkedQueue<>();
        final AtomicInteger size = new AtomicInteger();
        final AtomicBoolean scheduled = new AtomicBoolean();

        void add(String stream, Runnable fanout) {
            size.incrementAndGet();
            while (true) {
                Lane lane = lanes.computeIfAbsent(stream, Lane::new);
                boolean wasIdle;
                synchronized (lane) {
                    if (lane.removed) {
                        continue; // emptied and dropped meanwhile: take the new one
                    }
                    wasIdle = lane.tasks.isEmpty();
                    lane.tasks.addLast(fanout);
                    lane.count = lane.tasks.size();
                }
                if (wasIdle) {
                    ready.add(lane); // an idle lane is in no turn; a busy one is already (or is being run)
                }
                break;
            }
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

        /**
         * One turn each: the stream at the head of {@link #ready} runs its oldest fan-out, then goes to the back if it
         * has more. A lane stays in the turn while it has work, so only an idle lane is ever added again.
         */
        @Override
        public void run() {
            int done = 0;
            Lane lane;
            try (WriteBatch batch = WriteBatch.open()) {
                while (done < BURST && !stopped && (lane = ready.poll()) != null) {
                    Runnable fanout;
                    synchronized (lane) {
                        fanout = lane.tasks.peekFirst(); // left in place: an add meanwhile sees the lane busy
                    }
                    size.decrementAndGet();
                    done++;
                    try {
                        fanout.run();
                    } catch (RuntimeException e) {
                        LOG.log(Level.WARNING, "jcable: a fan-out failed; the stream's next ones go on", e);
                    }
                    boolean more;
                    synchronized (lane) {
                        lane.tasks.pollFirst();
                        lane.count = lane.tasks.size();
                        more = !lane.tasks.isEmpty();
                        if (!more) {
                            lane.removed = true;
                            lanes.remove(lane.stream, lane);
                        }
                    }
                    if (more) {
                        ready.add(lane);
                    }
                    if (done % FLUSH_EVERY == 0 || ready.isEmpty()) {
                        batch.flush();
                    }
                }
            }
            scheduled.set(false);
            if (!stopped && !ready.isEmpty() && scheduled.compareAndSet(false, true)) {
                schedule();
            }
        }
    }
}
