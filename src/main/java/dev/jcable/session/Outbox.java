package dev.jcable.session;

import jakarta.websocket.CloseReason;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A connection's bounded outbound queue. {@link #offer} never blocks: frames are queued and written one at a time
 * with the container's async send; the next write starts when the previous one completes.
 *
 * <p>The consumer is too slow when {@code maxPending} characters are already waiting (queued or being written) as
 * a new frame arrives: that frame is refused and the owner is told once. A single frame is never the sign of a slow
 * consumer, whatever its size: it is queued as long as less than the limit is waiting, so a large broadcast or
 * presence reply reaches everyone who keeps up. Only a frame larger than {@code maxFrame} (more than jcable ever
 * builds) is refused outright, without disconnecting anyone.
 *
 * <p>Frames are shared, immutable strings: a broadcast to many sessions queues one string many times.
 *
 * <p>A WebSocket ping ({@link #ping}) is written only when nothing else is: it takes the same write slot as the
 * frames, so it never interleaves with a write in flight (Open Liberty refuses a second write while one is in
 * progress, and writes its pings synchronously).
 */
final class Outbox {

    /** What the outbox reports to its session; called without any outbox state locked. */
    interface Owner {
        /** What is waiting reached the limit; reported once per outbox. */
        void overflow();

        /** A frame of {@code size} characters, larger than the largest frame, was dropped. */
        void oversized(int size);

        void sendFailed(Throwable cause);

        /** The final frame went out: close the socket (off the caller's thread). */
        void drained(CloseReason reason);
    }

    private final RemoteEndpoint.Async remote;
    private final long maxPending;
    private final long maxFrame;
    private final Owner owner;
    private final ConcurrentLinkedQueue<String> queue = new ConcurrentLinkedQueue<>();
    private final AtomicLong pending = new AtomicLong();
    private final AtomicLong completed = new AtomicLong();
    private final AtomicBoolean sending = new AtomicBoolean();
    private final AtomicBoolean finished = new AtomicBoolean();
    private final AtomicBoolean overflowed = new AtomicBoolean();
    private volatile CloseReason closing;

    Outbox(RemoteEndpoint.Async remote, long maxPending, long maxFrame, Owner owner) {
        this.remote = remote;
        this.maxPending = maxPending;
        this.maxFrame = maxFrame;
        this.owner = owner;
    }

    /** Queues a frame; false when closing, overflowed, or the frame is larger than any jcable builds. */
    boolean offer(String frame) {
        if (closing != null || overflowed.get()) {
            return false;
        }
        int size = frame.length();
        if (size > maxFrame) {
            owner.oversized(size);
            return false;
        }
        if (pending.getAndAdd(size) >= maxPending) { // what waited before this frame decides, not its own size
            pending.addAndGet(-size);
            if (overflowed.compareAndSet(false, true)) {
                owner.overflow(); // once: every later frame is refused without a word until the disconnect
            }
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

    /**
     * Writes a WebSocket ping (RFC 6455 control frame, empty payload) if nothing else is being written, then goes
     * on with whatever was queued meanwhile. Returns false, writing nothing, while a write is in flight or the
     * outbox is closing: the caller tries again later.
     */
    boolean ping() {
        if (closing != null || !sending.compareAndSet(false, true)) {
            return false;
        }
        try {
            remote.sendPing(ByteBuffer.allocate(0));
        } catch (IOException | RuntimeException e) {
            owner.sendFailed(e);
            return true;
        }
        pump(); // holds the write slot taken above: releases it, or writes what came meanwhile
        return true;
    }

    /** True while a write is in flight or about to start. */
    boolean writing() {
        return sending.get();
    }

    /** Writes completed so far (successfully or not): progress, for telling a stalled client from a busy one. */
    long writesCompleted() {
        return completed.get();
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
            completed.incrementAndGet();
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
