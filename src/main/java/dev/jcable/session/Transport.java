package dev.jcable.session;

import java.io.IOException;

/**
 * How one connection's frames leave: the seam between the outbox and the container. One adapter per container
 * ({@link Transports} picks it); the portable one uses the Jakarta WebSocket async remote.
 */
interface Transport extends FrameWriter {

    /**
     * Writes a WebSocket ping with an empty payload. Called only while no {@link #write} is in flight; every
     * transport uses the container's own {@code sendPing}, which checks the connection's state. (On Tyrus each
     * ping, and each pong received, used to cost a managed task for the idle timeout: {@link TyrusIdleScheduler}.)
     */
    void ping() throws IOException;
}
