package dev.jcable.session;

import dev.jcable.metrics.Counter;
import dev.jcable.metrics.Latency;
import jakarta.websocket.CloseReason;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;

/**
 * A connection's bounded outbound queue. {@link #offer} never blocks: frames are queued and written by the
 * connection's {@link Transport}, one write at a time; the next write starts when the previous one completes and
 * takes every frame queued meanwhile (up to the transport's batch), so a busy connection costs one write per batch,
 * not per frame.
 *
 * <p>The consumer is too slow when {@code maxPending} characters are already waiting (queued or being written) as
 * a new frame arrives: that frame is refused and the owner is told once. A single frame is never the sign of a slow
 * consumer, whatever its size: it is queued as long as less than the limit is waiting, so a large broadcast or
 * presence reply reaches everyone who keeps up. Only a frame larger than {@code maxFrame} (more than jcable ever
 * builds) is refused outright, without disconnecting anyone.
 *
 * <p>Frames are shared, immutable objects: a broadcast to many sessions queues one {@link Frame} many times.
 *
 * <p>A WebSocket ping ({@link #ping}) is written only when nothing else is: it takes the same write slot as the
 * frames, so it never interleaves with a write in flight (Open Liberty refuses a second write while one is in
 * progress, and writes its pings synchronously). On a raw transport it is the first frame of a write
 * ({@link Frame#PING}), with whatever was queued meanwhile (a JSON ping held by the same {@link WriteBatch}).
 */
final class Outbox {

    /** A batch stops growing at about this many characters (it always holds at least one frame). */
    static final int MAX_BATCH_CHARS = 64 * 1024;

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

    private final Transport transport;
    private final long maxPending;
    private final long maxFrame;
    private final Owner owner;
    // Counters and flags are volatile fields behind static updaters, not Atomic* objects: one of these lives for
    // every connection, and six atomics would cost about 110 bytes more each (issue 26: memory per connection).
    private static final AtomicLongFieldUpdater<Outbox> PENDING =
            AtomicLongFieldUpdater.newUpdater(Outbox.class, "pending");
    private static final AtomicLongFieldUpdater<Outbox> COMPLETED =
            AtomicLongFieldUpdater.newUpdater(Outbox.class, "completed");
    private static final AtomicIntegerFieldUpdater<Outbox> SENDING =
            AtomicIntegerFieldUpdater.newUpdater(Outbox.class, "sending");
    private static final AtomicIntegerFieldUpdater<Outbox> FINISHED =
            AtomicIntegerFieldUpdater.newUpdater(Outbox.class, "finished");
    private static final AtomicIntegerFieldUpdater<Outbox> HELD =
            AtomicIntegerFieldUpdater.newUpdater(Outbox.class, "held");
    private static final AtomicIntegerFieldUpdater<Outbox> OVERFLOWED =
            AtomicIntegerFieldUpdater.newUpdater(Outbox.class, "overflowed");

    private final ConcurrentLinkedQueue<Frame> queue = new ConcurrentLinkedQueue<>();
    private volatile long pending; // characters queued or being written
    private volatile long completed; // writes completed
    private volatile int sending; // 1: a write is under way (or being started)
    private volatile int finished; // 1: the owner was told the final frame went out
    private volatile int held; // 1: a WriteBatch holds this outbox until its flush
    private volatile int overflowed; // 1: the limit was reached, every later frame is refused
    private volatile CloseReason closing;
    private Frame carry; // guarded by `sending`

    Outbox(Transport transport, long maxPending, long maxFrame, Owner owner) {
        this.transport = transport;
        this.maxPending = maxPending;
        this.maxFrame = maxFrame;
        this.owner = owner;
    }

    /** Queues a frame; false when closing, overflowed, or the frame is larger than any jcable builds. */
    boolean offer(Frame frame) {
        if (closing != null || overflowed != 0) {
            if (overflowed != 0) {
                Counter.FAILED_SERVER_MSG.increment(); // lost to a too-slow client; a closing one is not news
            }
            return false;
        }
        int size = frame.chars();
        if (size > maxFrame) {
            owner.oversized(size);
            return false;
        }
        if (PENDING.getAndAdd(this, size) >= maxPending) { // what waited before this frame decides, not its own size
            PENDING.addAndGet(this, -size);
            Counter.FAILED_SERVER_MSG.increment();
            if (OVERFLOWED.compareAndSet(this, 0, 1)) {
                owner.overflow(); // once: every later frame is refused without a word until the disconnect
            }
            return false;
        }
        queue.add(frame);
        WriteBatch batch = WriteBatch.current();
        if (batch != null && transport.maxFrames() > 1) { // a one-message-per-write transport gains nothing
            if (HELD.compareAndSet(this, 0, 1)) {
                batch.hold(this); // written at the batch's flush, with whatever else it queues here meanwhile
            }
            return true;
        }
        if (SENDING.compareAndSet(this, 0, 1)) {
            pump();
        }
        return true;
    }

    /** A {@link WriteBatch} lets go of this outbox: write what it queued (unless a write is under way already). */
    void release() {
        held = 0;
        if (SENDING.compareAndSet(this, 0, 1)) {
            pump();
        }
    }

    /**
     * Sends {@code frame} as the last one, then lets the owner close with {@code reason}.
     *
     * @param discardQueued drop what is still queued (a too-slow consumer) instead of sending it first
     */
    void finish(Frame frame, CloseReason reason, boolean discardQueued) {
        if (closing != null) {
            return;
        }
        closing = reason;
        if (discardQueued) {
            Frame dropped;
            while ((dropped = queue.poll()) != null) {
                PENDING.addAndGet(this, -dropped.chars());
                Counter.FAILED_SERVER_MSG.increment();
            }
        }
        PENDING.addAndGet(this, frame.chars());
        queue.add(frame);
        if (SENDING.compareAndSet(this, 0, 1)) {
            pump();
        }
    }

    long pendingChars() {
        return pending;
    }

    /**
     * Writes a WebSocket ping (RFC 6455 control frame, empty payload) if nothing else is being written, then goes
     * on with whatever was queued meanwhile. Returns false, writing nothing, while a write is in flight or the
     * outbox is closing: the caller tries again later.
     */
    boolean ping() {
        if (closing != null || !SENDING.compareAndSet(this, 0, 1)) {
            return false;
        }
        if (transport.writesPings()) {
            // the write slot is ours, and with no write under way nothing is carried over: the ping leads the next
            // write, with whatever is queued
            carry = Frame.PING;
            pump();
            return true;
        }
        try {
            transport.ping();
        } catch (IOException | RuntimeException e) {
            owner.sendFailed(e);
            return true;
        }
        pump(); // holds the write slot taken above: releases it, or writes what came meanwhile
        return true;
    }

    /** Whether a WebSocket ping is a frame of this outbox's writes (never blocking), not the container's sendPing. */
    boolean writesPings() {
        return transport.writesPings();
    }

    /** True while a write is in flight or about to start. */
    boolean writing() {
        return sending != 0;
    }

    /** Writes completed so far (successfully or not): progress, for telling a stalled client from a busy one. */
    long writesCompleted() {
        return completed;
    }

    /** Writes queued frames until the queue is empty or a write is still in flight (its completion resumes). */
    private void pump() {
        while (true) {
            List<Frame> batch = take();
            if (batch == null) {
                sending = 0;
                if (queue.isEmpty() || !SENDING.compareAndSet(this, 0, 1)) {
                    CloseReason reason = closing;
                    if (reason != null && queue.isEmpty() && sending == 0 && FINISHED.compareAndSet(this, 0, 1)) {
                        owner.drained(reason);
                    }
                    return;
                }
                continue;
            }
            int chars = 0;
            int bytes = 0;
            int messages = 0;
            for (Frame frame : batch) {
                chars += frame.chars();
                bytes += frame.bytes();
                messages += frame.isPing() ? 0 : 1; // a ping is no message: the metrics count what clients receive
            }
            Completion completion = new Completion(messages, chars, bytes);
            try {
                transport.write(batch, completion);
            } catch (RuntimeException e) {
                owner.sendFailed(e);
                return;
            }
            if (completion.firstToFinish()) {
                return; // in flight: its completion continues the pump
            }
        }
    }

    /**
     * The next batch: one frame, or as many queued ones as the transport takes in one write; null if none. Only the
     * pumping thread (the holder of {@code sending}) calls it; a frame that would overfill the batch waits in
     * {@code carry} for the next one.
     */
    private List<Frame> take() {
        Frame first = carry != null ? carry : queue.poll();
        carry = null;
        if (first == null) {
            return null;
        }
        int max = transport.maxFrames();
        if (max == 1 || queue.isEmpty()) {
            return List.of(first);
        }
        List<Frame> batch = new ArrayList<>(Math.min(max, 16));
        batch.add(first);
        int chars = first.chars();
        Frame next;
        while (batch.size() < max && (next = queue.poll()) != null) {
            if (chars + next.chars() > MAX_BATCH_CHARS) {
                carry = next;
                break;
            }
            batch.add(next);
            chars += next.chars();
        }
        return batch;
    }

    /**
     * Either the write call returns first or its completion runs first; whichever comes second continues. It also
     * counts what the write carried and how long it took, for the metrics.
     */
    private final class Completion implements SendHandler {
        private final int frames;
        private final int size;
        private final int bytes;
        private final long start = System.nanoTime();
        private final AtomicBoolean other = new AtomicBoolean();

        Completion(int frames, int size, int bytes) {
            this.frames = frames;
            this.size = size;
            this.bytes = bytes;
        }

        boolean firstToFinish() {
            return other.compareAndSet(false, true);
        }

        @Override
        public void onResult(SendResult result) {
            PENDING.addAndGet(Outbox.this, -size);
            COMPLETED.incrementAndGet(Outbox.this);
            if (!result.isOK()) {
                Counter.FAILED_SERVER_MSG.add(frames);
                owner.sendFailed(result.getException());
                return;
            }
            Latency.SEND.since(start);
            Counter.SERVER_MSG.add(frames);
            Counter.DATA_SENT.add(bytes);
            if (!firstToFinish()) {
                pump();
            }
        }
    }
}
