package dev.jcable.session;

import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.glassfish.tyrus.spi.CompletionHandler;
import org.glassfish.tyrus.spi.Writer;

/**
 * Tyrus (Payara): writes ready-made WebSocket frames straight to the connection's {@link Writer}, several queued
 * frames in one write. Tyrus' own send path schedules a managed task for every frame to restart its idle timeout,
 * whatever the timeout (eclipse-ee4j/tyrus#487), and on Payara capturing the context of each task scans the web
 * application's jars; it also builds two charsets and copies the payload several times per frame. The writer is
 * Tyrus' SPI under all of that: it queues while the socket is not ready and completes each buffer once written,
 * which is the backpressure the outbox needs.
 *
 * <p>The writer is reached through Tyrus internals (fields of {@code TyrusRemoteEndpoint}, {@code TyrusWebSocket},
 * {@code ProtocolHandler}), so {@link #open} checks every step and throws when one is missing; this class is
 * loaded only once Tyrus is known to be there ({@link Transports}). Connections with a negotiated extension
 * (permessage-deflate) keep the portable path: raw frames would bypass it.
 *
 * <p>Under the writer, on Payara, the frames skip the servlet output stream as well and go to the Grizzly
 * connection's write queue ({@link GrizzlyOut}), where the connection allows it. And the session's idle-timeout
 * tasks, which Tyrus schedules for every ping, pong and received message even with the timeout off, are not
 * scheduled ({@link TyrusIdleScheduler}).
 */
final class TyrusTransport implements FrameWriter {

    /**
     * The fields on the way from a remote endpoint to its writer, and the socket's state check, found once per
     * remote endpoint class.
     */
    private record Path(Class<?> remoteType, Field webSocket, Field state, Field protocolHandler, Field writer,
                        Object connected) {
    }

    private static final Logger LOG = Logger.getLogger(TyrusTransport.class.getName());
    private static final String SERVLET_WRITER = "org.glassfish.tyrus.servlet.TyrusServletWriter";

    private static volatile Path cached;
    private static volatile boolean grizzlyFailed;
    private static volatile boolean grizzlyAnnounced;
    private static volatile boolean schedulerFailed;

    // found once per connection, so that a write costs no reflection: Tyrus keeps both for the socket's life
    private final AtomicReference<?> state;
    private final Object connected;
    private final Writer writer;
    private final GrizzlyOut grizzly; // null: Tyrus' writer

    private TyrusTransport(AtomicReference<?> state, Object connected, Writer writer, GrizzlyOut grizzly) {
        this.state = state;
        this.connected = connected;
        this.writer = writer;
        this.grizzly = grizzly;
    }

    /**
     * The raw transport for {@code socket}, or null when this connection cannot use it (an extension).
     *
     * @throws ReflectiveOperationException when Tyrus' internals are not what this class knows
     */
    static TyrusTransport open(Session socket) throws ReflectiveOperationException {
        if (!socket.getNegotiatedExtensions().isEmpty()) {
            return null;
        }
        RemoteEndpoint.Async remote = socket.getAsyncRemote();
        Path known = cached;
        if (known == null || known.remoteType() != remote.getClass()) {
            known = find(remote);
            cached = known;
        }
        Object webSocket = known.webSocket().get(remote);
        Object handler = known.protocolHandler().get(webSocket);
        if (!(known.writer().get(handler) instanceof Writer writer)) {
            throw new NoSuchFieldException("no Tyrus writer behind " + remote.getClass().getName());
        }
        if (!(known.state().get(webSocket) instanceof AtomicReference<?> state)) {
            throw new NoSuchFieldException("no state behind " + remote.getClass().getName());
        }
        skipIdleTasks(socket);
        return new TyrusTransport(state, known.connected(), writer, grizzly(writer));
    }

    /** The Grizzly connection under Tyrus' servlet writer, or null: Tyrus' writer then, which works everywhere. */
    private static GrizzlyOut grizzly(Writer writer) {
        if (grizzlyFailed || !writer.getClass().getName().equals(SERVLET_WRITER)) {
            return null;
        }
        try {
            GrizzlyOut out = GrizzlyOut.open(writer);
            if (!grizzlyAnnounced) {
                grizzlyAnnounced = true;
                LOG.info(out != null ? "jcable: tyrus-raw frames go to Grizzly's write queue"
                        : "jcable: tyrus-raw frames of TLS connections go through Tyrus' writer");
            }
            return out;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            grizzlyFailed = true;
            LOG.log(Level.WARNING, "jcable: Grizzly's write queue is not reachable under Tyrus' servlet writer; frames "
                    + "go through the servlet output stream (more CPU per frame)", e);
            return null;
        }
    }

    /** Gives the session a scheduler that drops its idle-timeout tasks while the timeout is off. */
    private static void skipIdleTasks(Session socket) {
        if (schedulerFailed) {
            return;
        }
        try {
            Field service = Internals.field(socket.getClass(), "service");
            if (service.get(socket) instanceof ScheduledExecutorService container
                    && !(container instanceof TyrusIdleScheduler)) {
                service.set(socket, new TyrusIdleScheduler(container, socket));
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            schedulerFailed = true;
            LOG.log(Level.WARNING, "jcable: Tyrus' session scheduler is not reachable; Tyrus keeps scheduling an "
                    + "idle-timeout task per ping, pong and received message (more CPU per frame)", e);
        }
    }

    private static Path find(Object remote) throws ReflectiveOperationException {
        Field webSocket = Internals.field(remote.getClass(), "webSocket");
        Object socket = webSocket.get(remote);
        Field state = Internals.field(socket.getClass(), "state");
        if (!(state.get(socket) instanceof AtomicReference<?> current) || !(current.get() instanceof Enum<?> now)) {
            throw new NoSuchFieldException(socket.getClass().getName() + ".state is not the state this class knows");
        }
        Object connected = Internals.constant(now.getDeclaringClass(), "CONNECTED");
        Field protocolHandler = Internals.field(socket.getClass(), "protocolHandler");
        Object handler = protocolHandler.get(socket);
        return new Path(remote.getClass(), webSocket, state, protocolHandler, Internals.field(handler.getClass(), "writer"),
                connected);
    }

    @Override
    public int maxFrames() {
        return 256;
    }

    /** A ping is two ready-made bytes like any frame's: it takes this path, not the container's {@code sendPing}. */
    @Override
    public boolean writesPings() {
        return true;
    }

    @Override
    public void write(List<Frame> frames, SendHandler done) {
        // Tyrus' own send checks the socket's state first, and so must this: once the connection is closed, the
        // servlet container recycles the output stream behind Tyrus' writer for another request, and bytes written
        // to it would reach someone else (seen under churn as a frame before another client's handshake response).
        // The window between this check and the write is the one Tyrus' own send has. Not CLOSING: the close frame
        // may be on its way, the stream with it.
        if (state.get() != connected) {
            done.onResult(new SendResult(new IllegalStateException("connection closed")));
            return;
        }
        CompletionHandler<ByteBuffer> completion = new CompletionHandler<>() {
            @Override
            public void completed(ByteBuffer result) {
                done.onResult(new SendResult());
            }

            @Override
            public void failed(Throwable throwable) {
                done.onResult(new SendResult(throwable));
            }

            @Override
            public void cancelled() {
                done.onResult(new SendResult(new IllegalStateException("write cancelled")));
            }
        };
        if (grizzly != null) {
            grizzly.write(gather(frames), completion);
        } else {
            writer.write(gather(frames), completion);
        }
    }

    /** Where writes go: for the start-up line and tests. */
    String path() {
        return grizzly != null ? "grizzly" : "tyrus-writer";
    }

    /** One frame as it is (shared, never copied); several concatenated into one buffer, one write. */
    static ByteBuffer gather(List<Frame> frames) {
        return ByteBuffer.wrap(Frame.wire(frames));
    }
}
