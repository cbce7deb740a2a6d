package dev.jcable.session;

import jakarta.websocket.SendHandler;
import java.util.List;

/**
 * Writes a connection's text frames. The container-specific adapters ({@link TyrusTransport},
 * {@link LibertyTransport}) are only this: they sit behind a {@link GuardedTransport}, and pings take the
 * container's own path ({@link Transport#ping}).
 *
 * <p>The outbox writes one batch at a time and waits for its completion before the next, so an implementation
 * never sees two writes of one connection at once.
 */
interface FrameWriter {

    /**
     * Writes {@code frames} in order, each as its own WebSocket text message, and calls {@code done} once: when all
     * are written, or with the first failure. {@code done} may run on the calling thread, before this returns.
     */
    void write(List<Frame> frames, SendHandler done);

    /** The most frames one {@link #write} takes; 1 for a writer that gains nothing from batches. */
    int maxFrames();
}
