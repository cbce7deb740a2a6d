package dev.jcable.session;

import java.io.IOException;

/**
 * How one connection's frames leave: the seam between the outbox and the container. One adapter per container
 * ({@link Transports} picks it); the portable one uses the Jakarta WebSocket async remote.
 */
interface Transport extends FrameWriter {

    /**
     * Writes a WebSocket ping with an empty payload through the container's own {@code sendPing}, which checks the
     * connection's state. Called only while no {@link #write} is in flight, and only when the transport does not
     * take {@link Frame#PING} in its writes ({@link #writesPings}): the raw adapters write pings as frames, behind
     * the same guard as text (on Payara the container's {@code sendPing} goes through Tyrus' servlet writer and the
     * HTTP filter chain, twice the cost of a text frame on the raw path: docs/BENCHMARKS.md, "Idle CPU").
     */
    void ping() throws IOException;
}
