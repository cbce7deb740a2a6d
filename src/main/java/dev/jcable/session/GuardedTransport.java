package dev.jcable.session;

import jakarta.websocket.SendHandler;
import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;

/**
 * A container-specific frame writer with the portable transport behind it: a write that throws (the adapter met
 * internals it does not know) is made again on the portable path, and that path stays for the rest of the
 * connection. Pings are frames of the adapter's writes while it takes them ({@link FrameWriter#writesPings}); one
 * in a write that falls back goes out with the container's {@code sendPing} ({@link AsyncTransport}). Failures
 * reported through the completion are the socket's own and are not retried.
 */
final class GuardedTransport implements Transport {

    private final Transport portable;
    private final Consumer<Throwable> failed;
    private volatile FrameWriter current;

    GuardedTransport(FrameWriter adapter, Transport portable, Consumer<Throwable> failed) {
        this.current = adapter;
        this.portable = portable;
        this.failed = failed;
    }

    @Override
    public void ping() throws IOException {
        portable.ping();
    }

    @Override
    public int maxFrames() {
        return current.maxFrames();
    }

    @Override
    public boolean writesPings() {
        return current.writesPings();
    }

    @Override
    public void write(List<Frame> frames, SendHandler done) {
        FrameWriter adapter = current;
        if (adapter != portable) {
            try {
                adapter.write(frames, done);
                return;
            } catch (RuntimeException | LinkageError e) {
                current = portable;
                failed.accept(e);
            }
        }
        writeFrom(frames, 0, done);
    }

    /** The portable path takes one message per write: the batch goes out one after the other. */
    private void writeFrom(List<Frame> frames, int index, SendHandler done) {
        portable.write(List.of(frames.get(index)), result -> {
            if (!result.isOK() || index + 1 == frames.size()) {
                done.onResult(result);
            } else {
                writeFrom(frames, index + 1, done);
            }
        });
    }

    /** For tests: whether writes still take the adapter. */
    boolean adapted() {
        return current != portable;
    }
}
