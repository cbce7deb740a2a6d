package dev.jcable.node;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The node's one-shot tasks on the managed scheduler (a disconnect's grace, a restore's history wait), tracked so
 * that {@link #stop()} cancels those still pending: a task of an undeployed application must not fire later (Open
 * Liberty fails it with CWWKC1101E, and until then it keeps the old deployment reachable from the server's
 * scheduler). Nothing is scheduled once stopped.
 */
final class OneShots {

    private static final Logger LOG = Logger.getLogger(OneShots.class.getName());

    private final ScheduledExecutorService scheduler;
    private final Set<Task> pending = ConcurrentHashMap.newKeySet();
    private volatile boolean stopped;

    OneShots(ScheduledExecutorService scheduler) {
        this.scheduler = scheduler;
    }

    /** Runs {@code action} once after {@code delayMillis}, unless {@link #stop()} comes first. */
    void schedule(Runnable action, long delayMillis) {
        if (stopped) {
            return;
        }
        Task task = new Task(action);
        pending.add(task);
        try {
            task.future = scheduler.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            pending.remove(task);
            LOG.fine("jcable: scheduler stopped; a delayed task is dropped");
            return;
        }
        if (stopped) {
            task.cancel(); // stop() ran between the check above and the scheduling
        }
    }

    void stop() {
        stopped = true;
        List.copyOf(pending).forEach(Task::cancel);
    }

    int pending() {
        return pending.size();
    }

    private final class Task implements Runnable {
        private final Runnable action;
        private volatile ScheduledFuture<?> future;

        Task(Runnable action) {
            this.action = action;
        }

        @Override
        public void run() {
            pending.remove(this);
            action.run();
        }

        void cancel() {
            pending.remove(this);
            ScheduledFuture<?> scheduled = future;
            if (scheduled != null) {
                scheduled.cancel(false);
            }
        }
    }
}
