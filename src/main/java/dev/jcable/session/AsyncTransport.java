package dev.jcable.session;

import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The portable transport: the Jakarta WebSocket async remote. Without batching it writes one message per call and
 * waits for it (Liberty allows one write in flight per connection). With batching (Undertow, where it is a real
 * feature) it queues a batch of messages and flushes them in one gathering write.
 */
final class AsyncTransport implements Transport {

    private final RemoteEndpoint.Async remote;
    private final boolean batching;

    AsyncTransport(RemoteEndpoint.Async remote, boolean batching) {
        this.remote = remote;
        this.batching = batching;
    }

    @Override
    public void ping() throws IOException {
        remote.sendPing(ByteBuffer.allocate(0));
    }

    @Override
    public int maxFrames() {
        return batching ? 64 : 1;
    }

    @Override
    public void write(List<Frame> frames, SendHandler done) {
        if (!batching) {
            send(frames.get(0), done);
            return;
        }
        Countdown countdown = new Countdown(frames.size(), done);
        try {
            // Batching only for the length of this write: frames the container queues itself (a close, a pong)
            // must not wait for a flush of ours. Switched off before the flush, so nothing is left behind it.
            remote.setBatchingAllowed(true);
            try {
                for (Frame frame : frames) {
                    send(frame, countdown);
                }
            } finally {
                remote.setBatchingAllowed(false);
                remote.flushBatch();
            }
        } catch (IOException | RuntimeException e) {
            countdown.onResult(new SendResult(e));
        }
    }

    /**
     * One message; {@link Frame#PING} (only ever here when a raw adapter's write fell back to this path: this
     * transport does not take pings in its writes) as the container's {@code sendPing}.
     */
    private void send(Frame frame, SendHandler done) {
        if (!frame.isPing()) {
            remote.sendText(frame.text(), done);
            return;
        }
        SendResult result;
        try {
            ping();
            result = new SendResult();
        } catch (IOException | RuntimeException e) {
            result = new SendResult(e);
        }
        done.onResult(result);
    }

    /** Reports once: after the last of {@code count} successes, or at the first failure. */
    private static final class Countdown implements SendHandler {
        private final AtomicInteger remaining;
        private final AtomicBoolean reported = new AtomicBoolean();
        private final SendHandler done;

        Countdown(int count, SendHandler done) {
            this.remaining = new AtomicInteger(count);
            this.done = done;
        }

        @Override
        public void onResult(SendResult result) {
            if (!result.isOK() || remaining.decrementAndGet() == 0) {
                if (reported.compareAndSet(false, true)) {
                    done.onResult(result);
                }
            }
        }
    }
}
