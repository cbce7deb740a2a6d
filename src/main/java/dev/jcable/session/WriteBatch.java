package dev.jcable.session;

import java.util.ArrayList;
import java.util.List;

/**
 * Holds back the writes that fan-outs on this thread queue, so that a burst of fan-outs leaves each connection in
 * one write instead of one per frame. Under presence churn a room of N members gets N frames per event; when events
 * queue up faster than they are fanned out, each socket's frames of the whole burst then share one write (one flush,
 * one pass through the container's filter chain). Frames queued from other threads meanwhile are not held: they
 * write as usual, and take the held frames along in queue order.
 *
 * <pre>{@code
 * try (WriteBatch batch = WriteBatch.open()) {
 *     ... fan-outs ...
 *     batch.flush(); // as often as latency requires
 * }
 * }</pre>
 */
public final class WriteBatch implements AutoCloseable {

    private static final ThreadLocal<WriteBatch> CURRENT = new ThreadLocal<>();

    private final List<Outbox> held = new ArrayList<>();

    private WriteBatch() {
    }

    /** Starts holding writes on this thread until {@link #flush()} or {@link #close()}. */
    public static WriteBatch open() {
        WriteBatch batch = new WriteBatch();
        CURRENT.set(batch);
        return batch;
    }

    static WriteBatch current() {
        return CURRENT.get();
    }

    void hold(Outbox outbox) {
        held.add(outbox);
    }

    /** Writes what was held: one write per connection for everything queued since the last flush. */
    public void flush() {
        for (Outbox outbox : held) {
            outbox.release();
        }
        held.clear();
    }

    /** Flushes and stops holding (the thread goes back to the container clean). */
    @Override
    public void close() {
        try {
            flush();
        } finally {
            CURRENT.remove();
        }
    }
}
