package dev.jcable.session;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import org.glassfish.grizzly.CompletionHandler;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.WriteResult;
import org.glassfish.grizzly.asyncqueue.AsyncQueueEnabledTransport;
import org.glassfish.grizzly.asyncqueue.AsyncQueueWriter;
import org.glassfish.grizzly.asyncqueue.WritableMessage;
import org.glassfish.grizzly.memory.Buffers;
import org.glassfish.grizzly.ssl.SSLUtils;

/**
 * Payara: the Grizzly connection under Tyrus' servlet writer, written to through its async write queue. Tyrus'
 * {@code TyrusServletWriter} hands each frame to the servlet output stream and flushes it, which runs Catalina's
 * and Grizzly's HTTP output buffers and the whole filter chain per write (about half of the server's CPU under
 * fan-out); it also reports a write complete as soon as the output stream took it, so a client that stops reading
 * piles up bytes in Grizzly's queue, beyond the outbox's bound. The async write queue is where that path ends: it
 * writes at once when the socket can take it and completes a write only when its bytes are in the socket, so the
 * outbox's one-write-in-flight bounds what a stalled client holds.
 *
 * <p>Only plain-TCP connections qualify: a TLS connection's bytes must go through the filters, and {@link #open}
 * answers null. What decides is the connection's own SSL engine (Grizzly attaches one to every connection it runs TLS
 * on), not the names of the filters in the chain: a port-unification chain can hide its TLS filter in a sub-chain,
 * and then a name check would write plaintext to a TLS socket. The way there (Tyrus' upgrade handler → the servlet output stream →
 * Catalina's and Grizzly's output buffers → the connection) is internal, so every step is checked; a missing one
 * throws and the caller keeps Tyrus' writer.
 */
final class GrizzlyOut {

    private final Connection<SocketAddress> connection;
    private final AsyncQueueWriter<SocketAddress> queue;

    private GrizzlyOut(Connection<SocketAddress> connection, AsyncQueueWriter<SocketAddress> queue) {
        this.connection = connection;
        this.queue = queue;
    }

    /**
     * The connection behind Tyrus' servlet {@code writer}, or null when it must keep the filter chain (TLS).
     *
     * @throws ReflectiveOperationException when the internals on the way are not what this class knows
     */
    static GrizzlyOut open(Object writer) throws ReflectiveOperationException {
        Object upgrade = Internals.field(writer.getClass(), "tyrusHttpUpgradeHandler").get(writer);
        // package-private, and on a proxy class
        Object web = Internals.method(upgrade.getClass(), "getWebConnection").invoke(upgrade);
        Object stream = web.getClass().getMethod("getOutputStream").invoke(web); // Tyrus asks for the same one
        Object catalina = Internals.field(stream.getClass(), "ob").get(stream);
        Object grizzly = Internals.field(catalina.getClass(), "grizzlyOutputBuffer").get(catalina);
        if (!(Internals.field(grizzly.getClass(), "connection").get(grizzly) instanceof Connection<?> found)) {
            throw new NoSuchFieldException("no Grizzly connection behind " + writer.getClass().getName());
        }
        return on(found);
    }

    /**
     * Writes to {@code connection}'s async write queue, or null when the connection runs TLS.
     *
     * @throws NoSuchFieldException when the connection is not one this class knows (no async queue)
     */
    @SuppressWarnings("unchecked")
    static GrizzlyOut on(Connection<?> connection) throws NoSuchFieldException {
        if (!(connection.getTransport() instanceof AsyncQueueEnabledTransport transport)) {
            throw new NoSuchFieldException("Grizzly transport " + connection.getTransport() + " has no write queue");
        }
        if (tls(connection)) {
            return null;
        }
        return new GrizzlyOut((Connection<SocketAddress>) connection,
                (AsyncQueueWriter<SocketAddress>) transport.getAsyncQueueIO().getWriter());
    }

    /**
     * Whether Grizzly runs TLS on {@code connection}: its SSL engine is there from the handshake on, which is over
     * before a WebSocket upgrade can be (the upgrade is a request on that connection).
     */
    static boolean tls(Connection<?> connection) {
        return SSLUtils.getSSLEngine(connection) != null;
    }

    /** Queues {@code bytes} on the connection; {@code done} runs once they are in the socket, or on failure. */
    void write(ByteBuffer bytes, org.glassfish.tyrus.spi.CompletionHandler<ByteBuffer> done) {
        if (!connection.isOpen()) {
            done.failed(new IllegalStateException("connection closed"));
            return;
        }
        // a wrapped heap buffer: the frame's bytes are shared by every subscriber and never copied or disposed
        queue.write(connection, Buffers.wrap(connection.getMemoryManager(), bytes),
                new CompletionHandler<WriteResult<WritableMessage, SocketAddress>>() {
                    @Override
                    public void completed(WriteResult<WritableMessage, SocketAddress> result) {
                        done.completed(bytes);
                    }

                    @Override
                    public void failed(Throwable throwable) {
                        done.failed(throwable);
                    }

                    @Override
                    public void cancelled() {
                        done.cancelled();
                    }

                    @Override
                    public void updated(WriteResult<WritableMessage, SocketAddress> result) {
                    }
                });
    }
}
