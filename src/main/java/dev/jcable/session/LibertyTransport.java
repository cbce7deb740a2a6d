package dev.jcable.session;

import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.io.IOException;
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Open Liberty: writes ready-made WebSocket frames, several queued frames in one write, straight to the
 * connection's TCP channel, inside Liberty's own write guard. Liberty's async send writes one message per call, and
 * even when the socket takes the bytes at once it queues the write to its TCP channel and hands the completion to a
 * thread of its default executor ({@code forceQueue}, then {@code WsocWriteCallback.complete}): every frame cost a
 * thread handoff, and presence churn saturated the server core.
 *
 * <p>A write here takes Liberty's write slot first ({@code WsocConnLink.okToWrite}, which its async and basic
 * sends, pongs and close frames also take; it refuses once the connection is closing), hands one buffer to the
 * connection's {@code TCPWriteRequestContext} without forcing a queue, so the bytes go into the socket on the
 * calling thread whenever it can take them, and gives the slot back ({@code signalNotWriting}, which wakes a pong or
 * close waiting for it) before the outbox hears of the completion. Only a socket that is full queues the write;
 * its completion then comes from the TCP channel's thread, and nothing here blocks on it. Liberty's own writes
 * (pongs, close frames) wait for the slot; the one that does not, the close frame answering a client's close
 * ({@code incomingCloseConnection}: it waits for the write in flight, then writes), has the same window against a
 * write starting meanwhile as Liberty's own async send. jcable pings only with no write of its own in flight, and
 * closes a connection itself only after its outbox drained.
 *
 * <p>Everything on the way (the async remote's {@code asyncImpl}, its {@code connLink}, that link's
 * {@code tcpConnection}, the channel SPI types, which the application cannot see) is internal and reached by
 * reflection through the objects' own class loaders; {@link #open} checks every step and throws when one is not
 * what it knows.
 * Connections with TLS (an SSL context on the connection) or a negotiated extension keep the portable path.
 */
final class LibertyTransport implements FrameWriter {

    /** {@code TCPWriteRequestContext.WRITE_ALL_DATA}. */
    private static final long WRITE_ALL_DATA = -1L;
    /**
     * {@code TCPRequestContext.USE_CHANNEL_TIMEOUT}: what Liberty's own send passes with jcable's send timeout 0, so a
     * write queued behind a full socket fails after the TCP channel's inactivity timeout, as it would there.
     */
    private static final int USE_CHANNEL_TIMEOUT = 0;

    /** The fields and methods on the way from a remote endpoint to its TCP channel, found once per its class. */
    private record Path(Class<?> remoteType, Field impl, Field connLink, Field tcpConnection, Method okToWrite,
                        Object ok, Method signalNotWriting, Method setReadWrite, Method bufferManager, Method wrap,
                        Class<?> bufferType, Method writeInterface, Method sslContext, Method setBuffers,
                        Method write, Class<?> callbackType) {
    }

    private static volatile Path cached;

    private final Path path;
    private final Object link;
    private final Object context;
    private final Object callback;
    private volatile Write current;

    private LibertyTransport(Path path, Object link, Object context) {
        this.path = path;
        this.link = link;
        this.context = context;
        this.callback = Proxy.newProxyInstance(path.callbackType().getClassLoader(),
                new Class<?>[] {path.callbackType()}, new Callback());
    }

    /**
     * The raw transport for {@code socket}, or null when this connection must keep the portable path (TLS, an
     * extension).
     *
     * @throws ReflectiveOperationException when Liberty's internals are not what this class knows
     */
    static LibertyTransport open(Session socket) throws ReflectiveOperationException {
        if (!socket.getNegotiatedExtensions().isEmpty()) {
            return null;
        }
        RemoteEndpoint.Async remote = socket.getAsyncRemote();
        Path known = cached;
        if (known == null || known.remoteType() != remote.getClass()) {
            known = find(remote);
            cached = known;
        }
        Object link = known.connLink().get(known.impl().get(remote));
        Object connection = link == null ? null : known.tcpConnection().get(link);
        if (connection == null) {
            throw new NoSuchFieldException("no TCP connection behind " + remote.getClass().getName());
        }
        if (invoke(known.sslContext(), connection) != null) {
            return null; // the bytes must go through the SSL channel's own writes
        }
        Object context = invoke(known.writeInterface(), connection);
        if (context == null) {
            throw new NoSuchFieldException("no TCP write context behind " + remote.getClass().getName());
        }
        return new LibertyTransport(known, link, context);
    }

    private static Path find(RemoteEndpoint.Async remote) throws ReflectiveOperationException {
        Field impl = Internals.field(remote.getClass(), "asyncImpl");
        Object asyncImpl = impl.get(remote);
        Field connLink = Internals.field(asyncImpl.getClass(), "connLink");
        Object link = connLink.get(asyncImpl);
        Class<?> linkType = link.getClass();
        Field tcpConnection = Internals.field(linkType, "tcpConnection");
        ClassLoader liberty = linkType.getClassLoader(); // Liberty's WebSocket bundle sees the channel SPI
        Method okToWrite = linkType.getMethod("okToWrite", boolean.class, boolean.class, boolean.class);
        Object ok = Internals.constant(okToWrite.getReturnType(), "OK");
        Method signalNotWriting = linkType.getMethod("signalNotWriting");
        Method setReadWrite = linkType.getMethod("setReadWrite", boolean.class);
        Method bufferManager = linkType.getMethod("getBufferManager");
        Method wrap = bufferManager.getReturnType().getMethod("wrap", byte[].class);
        Class<?> bufferType = wrap.getReturnType();
        Class<?> connectionType = Class.forName("com.ibm.wsspi.tcpchannel.TCPConnectionContext", false, liberty);
        Method writeInterface = connectionType.getMethod("getWriteInterface");
        Method sslContext = connectionType.getMethod("getSSLContext");
        Class<?> callbackType = Class.forName("com.ibm.wsspi.tcpchannel.TCPWriteCompletedCallback", false, liberty);
        Class<?> contextType = writeInterface.getReturnType();
        Method setBuffers = contextType.getMethod("setBuffers", bufferType.arrayType());
        Method write = contextType.getMethod("write", long.class, callbackType, boolean.class, int.class);
        if (!connectionType.isAssignableFrom(tcpConnection.getType())) {
            throw new NoSuchFieldException(linkType.getName() + ".tcpConnection is not a TCPConnectionContext");
        }
        return new Path(remote.getClass(), impl, connLink, tcpConnection, unchecked(okToWrite), ok,
                unchecked(signalNotWriting), unchecked(setReadWrite), unchecked(bufferManager), unchecked(wrap),
                bufferType, writeInterface, sslContext, unchecked(setBuffers), unchecked(write), callbackType);
    }

    /**
     * {@code method} without the access check of every call: the methods each write calls were found once, and
     * Liberty's classes made {@code Method.invoke} take its slow check every time (16 % of an idle node's samples at
     * 18,000 connections, issue 26). Where the runtime refuses (a module that does not open the package), the checked
     * call still works.
     */
    private static Method unchecked(Method method) {
        try {
            method.setAccessible(true);
        } catch (RuntimeException e) {
            // InaccessibleObjectException or a security manager's refusal: keep the checked call
        }
        return method;
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
        Object status = call(path.okToWrite(), link, false, false, false); // waits only behind a pong being written
        if (status != path.ok()) {
            done.onResult(new SendResult(new IllegalStateException("connection closed (" + status + ")")));
            return;
        }
        // Liberty's write slot is ours: every way out below gives it back
        Write write = new Write(done);
        Object buffers;
        try {
            // a wrapped heap buffer, never pooled: nothing to release (Liberty does not release its wrapped close
            // frames either); one frame's bytes are the frame's own, shared by every subscriber and never copied
            buffers = Array.newInstance(path.bufferType(), 1);
            Array.set(buffers, 0, call(path.wrap(), call(path.bufferManager(), link),
                    (Object) Frame.wire(frames)));
            call(path.setBuffers(), context, buffers);
        } catch (RuntimeException e) {
            call(path.signalNotWriting(), link);
            throw e; // nothing written: the guard writes the frames again on the portable path
        }
        current = write;
        Object written;
        try {
            // not forced to the queue: the bytes go into the socket here if it takes them, and then the TCP
            // channel returns the connection instead of calling back
            written = path.write().invoke(context, WRITE_ALL_DATA, callback, false, USE_CHANNEL_TIMEOUT);
        } catch (IllegalAccessException | InvocationTargetException | RuntimeException e) {
            // part of the frames may be on the wire: the connection cannot be trusted, it fails (and closes)
            finish(write, e instanceof InvocationTargetException t ? t.getCause() : e);
            return;
        }
        if (written != null) {
            finish(write, null);
        }
    }

    /** Gives Liberty's write slot back, then tells the outbox (which may write again at once). */
    private void finish(Write write, Throwable failure) {
        if (write == null || !write.reported.compareAndSet(false, true)) {
            return;
        }
        try {
            call(path.signalNotWriting(), link);
            if (failure == null) {
                call(path.setReadWrite(), link, true); // activity, for Liberty's idle timeout, as its own writes
            }
        } finally {
            write.done.onResult(failure == null ? new SendResult() : new SendResult(failure));
        }
    }

    /** One write's completion, reported once: by the write's return or by the TCP channel's callback. */
    private record Write(SendHandler done, AtomicBoolean reported) {
        Write(SendHandler done) {
            this(done, new AtomicBoolean());
        }
    }

    /** The connection's {@code TCPWriteCompletedCallback}: one write is in flight at a time. */
    private final class Callback implements InvocationHandler {
        @Override
        public Object invoke(Object proxy, Method method, Object[] args) {
            switch (method.getName()) {
                case "complete" -> finish(current, null);
                case "error" -> finish(current, args[2] instanceof Throwable t ? t
                        : new IOException("write failed"));
                case "hashCode" -> {
                    return System.identityHashCode(proxy);
                }
                case "equals" -> {
                    return proxy == args[0];
                }
                case "toString" -> {
                    return "jcable liberty-raw write callback";
                }
                default -> {
                }
            }
            return null;
        }
    }

    private static Object invoke(Method method, Object target, Object... args) throws ReflectiveOperationException {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw e;
        }
    }

    /** A call to a method found and checked at open: a failure means internals changed under a running server. */
    private static Object call(Method method, Object target, Object... args) {
        try {
            return invoke(method, target, args);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Liberty's " + method.getName() + " failed", e);
        }
    }
}
