package dev.jcable.broker;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs an expiry task exactly when its earliest deadline is due, on the container's managed scheduler: one armed
 * future at most, re-armed by what the task returns. Nothing is scheduled while nothing is pending.
 */
public final class ExpiryTimer implements MemoryBroker.Wakeup {

    private static final Logger LOG = Logger.getLogger(ExpiryTimer.class.getName());
    private static final long RETRY_MILLIS = 1000;

    private final ScheduledExecutorService scheduler;
    private final LongSupplier clock;
    private LongSupplier task;
    private ScheduledFuture<?> armed;
    private Object armedToken; // identifies the armed future to the run it starts
    private long armedAt = Long.MAX_VALUE;
    private boolean stopped;

    public ExpiryTimer(ScheduledExecutorService scheduler, LongSupplier clock) {
        this.scheduler = scheduler;
        this.clock = clock;
    }

    /** The task: expires what is due and returns the next deadline, or {@link Long#MAX_VALUE}. */
    public synchronized void setTask(LongSupplier task) {
        this.task = task;
    }

    @Override
    public synchronized void at(long deadlineMillis) {
        if (stopped || deadlineMillis >= armedAt) {
            return;
        }
        if (armed != null) {
            armed.cancel(false);
        }
        armedAt = deadlineMillis;
        long delay = Math.max(0, deadlineMillis - clock.getAsLong());
        Object token = new Object();
        try {
            armed = scheduler.schedule(() -> fire(token), delay, TimeUnit.MILLISECONDS);
            armedToken = token;
        } catch (RejectedExecutionException e) {
            armed = null; // the container is shutting down
            armedToken = null;
            armedAt = Long.MAX_VALUE;
        }
    }

    /**
     * Runs the task unless a newer arming superseded this one: a future cancelled after it had started still gets
     * here, and must neither run nor clear the newer future, which would then be out of {@link #stop()}'s reach.
     */
    private void fire(Object token) {
        LongSupplier current;
        synchronized (this) {
            if (stopped || armedToken != token) {
                return;
            }
            armed = null;
            armedToken = null;
            armedAt = Long.MAX_VALUE;
            current = task;
        }
        long next;
        try {
            next = current.getAsLong();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "jcable: expiry task failed; retrying in 1 s", e);
            next = clock.getAsLong() + RETRY_MILLIS;
        }
        if (next != Long.MAX_VALUE) {
            at(next);
        }
    }

    public synchronized void stop() {
        stopped = true;
        if (armed != null) {
            armed.cancel(false);
            armed = null;
            armedToken = null;
        }
    }
}
