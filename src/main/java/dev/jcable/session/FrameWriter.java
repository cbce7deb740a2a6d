package dev.jcable.session;

import jakarta.websocket.SendHandler;
import java.util.List;

/**
 * Writes a connection's text frames, and on the raw adapters its WebSocket pings too. The container-specific adapters
 * ({@link TyrusTransport}, {@link LibertyTransport}) are only this: they sit behind a {@link GuardedTransport}.
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

    /**
     * Whether {@link #write} takes {@link Frame#PING} among the frames (a writer of ready-made frames writes its bytes
     * as they are); otherwise a ping goes through {@link Transport#ping}, the container's {@code sendPing}.
     */
    default boolean writesPings() {
        return false;
    }
}
