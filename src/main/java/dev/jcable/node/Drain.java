package dev.jcable.node;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Undeploy's goodbye spread over {@code shutdown_drain_window} (AnyCable Pro's "slow drain"): the connections are told
 * {@code server_restart} in even batches, one every {@link #TICK_MILLIS}, so a rolling deploy's reconnect storm
 * reaches the other nodes as a steady stream instead of all at once. Connections not yet told keep working as usual;
 * new handshakes are refused meanwhile (the node is draining), so clients land elsewhere.
 */
final class Drain {

    /** The gap between two batches: short enough to look steady to the receiving nodes. */
    static final long TICK_MILLIS = 100;

    /** Waits until a point of {@code nanoClock}'s time; a test's clock moves it at once. */
    @FunctionalInterface
    interface Waiter {
        void waitUntil(long nanos) throws InterruptedException;
    }

    private Drain() {
    }

    /** How many batches {@code count} connections take over {@code windowMillis}: one per tick, at most one each. */
    static int batches(int count, long windowMillis) {
        if (count <= 1 || windowMillis < TICK_MILLIS) {
            return 1;
        }
        return (int) Math.min(count, windowMillis / TICK_MILLIS);
    }

    /**
     * Tells every one of {@code all} with {@code tell}: batch {@code i} of {@code n} at {@code i × window / n} after
     * the start, so the last is told one tick before the window ends. Interrupted, it tells the rest at once and
     * keeps the thread's interrupt.
     */
    static <T> void run(List<T> all, long windowMillis, Consumer<T> tell, LongSupplier nanoClock, Waiter waiter) {
        int n = batches(all.size(), windowMillis);
        long start = nanoClock.getAsLong();
        long windowNanos = windowMillis * 1_000_000L;
        boolean interrupted = false;
        for (int batch = 0; batch < n; batch++) {
            if (batch > 0 && !interrupted) {
                try {
                    waiter.waitUntil(start + batch * windowNanos / n);
                } catch (InterruptedException e) {
                    interrupted = true; // nobody may be left untold: the rest go now
                }
            }
            int from = (int) ((long) batch * all.size() / n);
            int to = (int) ((long) (batch + 1) * all.size() / n);
            for (T one : all.subList(from, to)) {
                tell.accept(one);
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Parks the calling thread (the container's undeploy) until {@code nanos} of {@link System#nanoTime()}. */
    static void parkUntil(long nanos) throws InterruptedException {
        long left;
        while ((left = nanos - System.nanoTime()) > 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(left);
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
    }
}
