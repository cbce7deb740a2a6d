package dev.jcable.session;

import java.util.ArrayDeque;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One connection's lane: everything that concerns the connection (its commands, its open, its cleanup after any
 * close, the application's channel callbacks) runs here in the order it was offered, never two steps at once, and
 * without a lock anyone else waits for. A serial queue, not a thread: whoever offers a step to an idle lane runs it
 * at once when the lane is {@code inline} (the container's thread, when no step of the connection can wait on a
 * backend), else an executor thread drains the lane.
 *
 * <p>A step may be asynchronous ({@link Step} returning an unfinished stage, e.g. a call to a backend): the lane
 * then holds the connection's later steps back until the stage completes, without any thread waiting for it, and
 * resumes on the executor.
 *
 * <p>Bounded: at most {@link #MAX_QUEUED} steps wait; {@link #offer} refuses more (the node disconnects such a
 * client, as its command rate limit would). Steps offered with {@link #offerAlways} (the cleanup after a close, a
 * handful per connection at most) are never refused. The executor holds at most one drain per lane.
 */
public final class Lane {

    private static final Logger LOG = Logger.getLogger(Lane.class.getName());

    /** Steps that may wait in one lane; a client whose commands pile up beyond this is disconnected. */
    public static final int MAX_QUEUED = 256;

    /** Steps one executor drain runs before it yields its thread to other lanes. */
    static final int BATCH = 64;

    /** A step whose work may end later: the lane runs nothing else of the connection until its stage completes. */
    @FunctionalInterface
    public interface Step {
        /** @return null when done, else a stage that completes when done */
        CompletionStage<?> run();
    }

    private final Executor executor;
    private final boolean inline;
    // room for two steps at first (it grows when more wait): most lanes hold one step at a time, and the default 16
    // slots cost every connection about 56 bytes more (issue 26: memory per connection)
    private final ArrayDeque<Step> queue = new ArrayDeque<>(2);
    private boolean busy; // a step is running, an async step is pending, or a drain is handed to the executor

    /**
     * @param executor where the lane drains when it cannot run inline (or has more than one step to run)
     * @param inline   whether the thread offering a step to an idle lane may run that step itself
     */
    public Lane(Executor executor, boolean inline) {
        this.executor = executor;
        this.inline = inline;
    }

    /** Queues {@code task}; false (nothing queued) when {@link #MAX_QUEUED} steps wait already. */
    public boolean offer(Runnable task) {
        return offer(step(task), true);
    }

    /** Queues an asynchronous step; false (nothing queued) when {@link #MAX_QUEUED} steps wait already. */
    public boolean offerAsync(Step step) {
        return offer(step, true);
    }

    /** Queues {@code task} whatever waits: for the cleanup after a close, which must never be dropped. */
    public void offerAlways(Runnable task) {
        offer(step(task), false);
    }

    /** Queues an asynchronous step whatever waits: a connection's open (which may call a backend). */
    public void offerAlwaysAsync(Step step) {
        offer(step, false);
    }

    /** Steps waiting (the running one not included). */
    public synchronized int queued() {
        return queue.size();
    }

    private boolean offer(Step step, boolean bounded) {
        synchronized (this) {
            if (bounded && queue.size() >= MAX_QUEUED) {
                return false;
            }
            queue.add(step);
            if (busy) {
                return true; // whoever holds the lane runs it in turn
            }
            busy = true;
        }
        if (inline) {
            drain(1); // this thread runs its own step only; anything offered meanwhile goes to the executor
        } else {
            schedule();
        }
        return true;
    }

    private void schedule() {
        try {
            executor.execute(() -> drain(BATCH));
        } catch (RejectedExecutionException e) {
            // the executor is gone (undeploy): the connection's cleanup must still run, here and now
            LOG.log(Level.FINE, "jcable: lane executor refused a drain; running it on this thread", e);
            drain(Integer.MAX_VALUE);
        }
    }

    /** Runs up to {@code budget} steps in order; then frees the lane, or hands the rest to the executor. */
    private void drain(int budget) {
        for (int ran = 0; ; ran++) {
            Step step;
            synchronized (this) {
                if (queue.isEmpty()) {
                    busy = false;
                    return;
                }
                if (ran == budget) {
                    break;
                }
                step = queue.poll();
            }
            CompletionStage<?> pending = run(step);
            if (pending != null && !pending.toCompletableFuture().isDone()) {
                pending.whenComplete((result, failure) -> schedule()); // the lane stays busy until then
                return;
            }
        }
        schedule();
    }

    private static CompletionStage<?> run(Step step) {
        try {
            return step.run();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "jcable: a step of a connection's lane failed; the lane goes on", e);
            return null;
        }
    }

    private static Step step(Runnable task) {
        return () -> {
            task.run();
            return null;
        };
    }
}
