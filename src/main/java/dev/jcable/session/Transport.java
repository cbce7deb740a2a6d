package dev.jcable.session;

import jakarta.websocket.SendHandler;
import java.io.IOException;
import java.util.List;

/**
 * How one connection's frames leave: the seam between the outbox and the container. One adapter per container
 * ({@link Transports} picks it); the portable one uses the Jakarta WebSocket async remote.
 *
 * <p>The outbox writes one batch at a time and waits for its completion before the next, so an implementation
 * never sees two writes of one connection at once.
 */
interface Transport {

    /**
     * Writes {@code frames} in order, each as its own WebSocket text message, and calls {@code done} once: when all
     * are written, or with the first failure. {@code done} may run on the calling thread, before this returns.
     */
    void write(List<Frame> frames, SendHandler done);

    /** The most frames one {@link #write} takes; 1 for a transport that gains nothing from batches. */
    int maxFrames();

    /**
     * Writes a WebSocket ping with an empty payload. Called only while no {@link #write} is in flight; every
     * transport uses the container's own {@code sendPing}, which checks the connection's state. (On Tyrus each
     * ping, and each pong received, used to cost a managed task for the idle timeout: {@link TyrusIdleScheduler}.)
     */
    void ping() throws IOException;
}
