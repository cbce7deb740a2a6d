package dev.jcable.session;

import jakarta.websocket.CloseReason;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A connection's bounded outbound queue. {@link #offer} never blocks: frames are queued and written one at a time
 * with the container's async send; the next write starts when the previous one completes. When the queued
 * characters would exceed the limit, the frame is refused and the owner is told the consumer is too slow.
 *
 * <p>Frames are shared, immutable strings: a broadcast to many sessions queues one string many times.
 */
final class Outbox {

    /** What the outbox reports to its session; called without any outbox state locked. */
    interface Owner {
        void overflow();

        void sendFailed(Throwable cause);

        /** The final frame went out: close the socket (off the caller's thread). */
        void drained(CloseReason reason);
    }

    private final RemoteEndpoint.Async remote;
    private final long maxPending;
    private final Owner owner;
    private final ConcurrentLinkedQueue<String> queue = new ConcurrentLinkedQueue<>();
    private final AtomicLong pending = new AtomicLong();
    private final AtomicBoolean sending = new AtomicBoolean();
    private final AtomicBoolean finished = new AtomicBoolean();
    private volatile CloseReason closing;

    Outbox(RemoteEndpoint.Async remote, long maxPending, Owner owner) {
        this.remote = remote;
        this.maxPending = maxPending;
        this.owner = owner;
    }

    /** Queues a frame; false when the outbox is closing or full (then the owner hears about it once). */
    boolean offer(String frame) {
        if (closing != null) {
            return false;
        }
        long size = frame.length();
        if (pending.addAndGet(size) > maxPending) {
            pending.addAndGet(-size);
            owner.overflow();
            return false;
        }
        queue.add(frame);
        if (sending.compareAndSet(false, true)) {
            pump();
        }
        return true;
    }

    /**
     * Sends {@code frame} as the last one, then lets the owner close with {@code reason}.
     *
     * @param discardQueued drop what is still queued (a too-slow consumer) instead of sending it first
     */
    void finish(String frame, CloseReason reason, boolean discardQueued) {
        if (closing != null) {
            return;
        }
        closing = reason;
        if (discardQueued) {
            String dropped;
            while ((dropped = queue.poll()) != null) {
                pending.addAndGet(-dropped.length());
            }
        }
        pending.addAndGet(frame.length());
        queue.add(frame);
        if (sending.compareAndSet(false, true)) {
            pump();
        }
    }

    long pendingChars() {
        return pending.get();
    }

    /** Writes queued frames until the queue is empty or a write is still in flight (its completion resumes). */
    private void pump() {
        while (true) {
            String frame = queue.poll();
            if (frame == null) {
                sending.set(false);
                if (queue.isEmpty() || !sending.compareAndSet(false, true)) {
                    CloseReason reason = closing;
                    if (reason != null && queue.isEmpty() && !sending.get() && finished.compareAndSet(false, true)) {
                        owner.drained(reason);
                    }
                    return;
                }
                continue;
            }
            Completion completion = new Completion(frame.length());
            try {
                remote.sendText(frame, completion);
            } catch (RuntimeException e) {
                owner.sendFailed(e);
                return;
            }
            if (completion.firstToFinish()) {
                return; // in flight: its completion continues the pump
            }
        }
    }

    /** Either the send call returns first or its completion runs first; whichever comes second continues. */
    private final class Completion implements SendHandler {
        private final int size;
        private final AtomicBoolean other = new AtomicBoolean();

        Completion(int size) {
            this.size = size;
        }

        boolean firstToFinish() {
            return other.compareAndSet(false, true);
        }

        @Override
        public void onResult(SendResult result) {
            pending.addAndGet(-size);
            if (!result.isOK()) {
                owner.sendFailed(result.getException());
                return;
            }
            if (!firstToFinish()) {
                pump();
            }
        }
    }
}
