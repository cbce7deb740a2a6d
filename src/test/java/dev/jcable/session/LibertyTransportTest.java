package dev.jcable.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.ibm.wsspi.tcpchannel.TCPConnectionContext;
import com.ibm.wsspi.tcpchannel.TCPWriteCompletedCallback;
import com.ibm.wsspi.tcpchannel.TCPWriteRequestContext;
import jakarta.websocket.Extension;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.Session;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The Open Liberty transport against stand-ins with the names and shapes of Liberty's internals (the remote's
 * {@code asyncImpl}, its {@code connLink}, the link's write guard and {@code tcpConnection}; the channel SPI types
 * under {@code com.ibm.wsspi.tcpchannel} in the test tree).
 */
class LibertyTransportTest {

    /** {@code WsocConnLink.RETURN_STATUS}. */
    enum Status { OK, READ_IN_PROGRESS, WRITE_IN_PROGRESS, IO_NOT_OK, CLOSE }

    static final class FakeLibertyRemote extends TransportTest.FakeAsync {
        final Object asyncImpl;

        FakeLibertyRemote(Object asyncImpl) {
            this.asyncImpl = asyncImpl;
        }
    }

    static final class FakeAsyncImpl {
        final FakeLink connLink;

        FakeAsyncImpl(FakeLink connLink) {
            this.connLink = connLink;
        }
    }

    static final class FakePool {
        public TCPWriteRequestContext.Buffer wrap(byte[] bytes) {
            return () -> bytes;
        }
    }

    /** Liberty's {@code WsocConnLink}: one write slot, refused once the connection is closing. */
    static final class FakeLink {
        private final TCPConnectionContext tcpConnection;
        volatile Status status = Status.OK;
        volatile boolean writing;
        int readWrites;

        FakeLink(TCPConnectionContext tcpConnection) {
            this.tcpConnection = tcpConnection;
        }

        public Status okToWrite(boolean wait, boolean fromClose, boolean fromPong) {
            if (status != Status.OK) {
                return status;
            }
            if (writing) {
                return Status.WRITE_IN_PROGRESS;
            }
            writing = true;
            return Status.OK;
        }

        public void signalNotWriting() {
            writing = false;
        }

        public void setReadWrite(boolean value) {
            readWrites++;
        }

        public FakePool getBufferManager() {
            return new FakePool();
        }
    }

    /** The connection's TCP channel: completes a write at once (the socket took it) or later, as the test says. */
    static final class FakeTcp implements TCPConnectionContext, TCPWriteRequestContext {
        final List<byte[]> written = new ArrayList<>();
        final List<Boolean> forced = new ArrayList<>();
        final List<Boolean> slotHeld = new ArrayList<>();
        FakeLink link;
        Object ssl;
        boolean immediate = true;
        RuntimeException failSetBuffers;
        TCPWriteCompletedCallback pending;
        private Buffer[] buffers;

        @Override
        public TCPWriteRequestContext getWriteInterface() {
            return this;
        }

        @Override
        public Object getSSLContext() {
            return ssl;
        }

        @Override
        public void setBuffers(Buffer[] buffers) {
            if (failSetBuffers != null) {
                throw failSetBuffers;
            }
            this.buffers = buffers;
        }

        @Override
        public Object write(long numBytes, TCPWriteCompletedCallback callback, boolean forceQueue, int timeout) {
            written.add(buffers[0].array());
            forced.add(forceQueue);
            slotHeld.add(link.writing);
            if (immediate) {
                return this;
            }
            pending = callback;
            return null;
        }

        void complete() {
            TCPWriteCompletedCallback callback = pending;
            pending = null;
            callback.complete(this, this);
        }
    }

    private static Session session(RemoteEndpoint.Async remote, List<Extension> extensions) {
        return (Session) Proxy.newProxyInstance(LibertyTransportTest.class.getClassLoader(),
                new Class<?>[] {Session.class}, (self, method, args) -> switch (method.getName()) {
                    case "getAsyncRemote" -> remote;
                    case "getNegotiatedExtensions" -> extensions;
                    case "getNegotiatedSubprotocol" -> "actioncable-v1-ext-json";
                    case "hashCode" -> System.identityHashCode(self);
                    case "equals" -> self == args[0];
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private static Session liberty(FakeTcp tcp) {
        FakeLink link = new FakeLink(tcp);
        tcp.link = link;
        return session(new FakeLibertyRemote(new FakeAsyncImpl(link)), List.of());
    }

    @Test
    void readyFramesGoToTheTcpChannelInsideLibertysWriteGuardQueuedOnesInOneWrite() throws Exception {
        FakeTcp tcp = new FakeTcp();
        Session socket = liberty(tcp);
        LibertyTransport transport = LibertyTransport.open(socket);
        assertNotNull(transport);
        CableSession session = new CableSession("sid-1", socket, 1_000_000, Long.MAX_VALUE, OutboxTest.DIRECT,
                TransportTest.strict(transport, socket));

        Frame broadcast = new Frame("{\"message\":1}");
        session.send(broadcast);
        assertSame(broadcast.wire(), tcp.written.get(0), "one frame is written from the shared bytes");
        assertEquals(List.of(false), tcp.forced, "not forced to the channel's queue: written on this thread");
        assertEquals(List.of(true), tcp.slotHeld, "written while holding Liberty's write slot");
        assertFalse(tcp.link.writing, "the slot is given back once the socket took the bytes");
        assertEquals(1, tcp.link.readWrites);
        assertEquals(0, session.pendingChars());

        tcp.immediate = false; // the socket is full: the channel queues the write and calls back
        session.send("a");
        session.send("b");
        session.send("c");
        assertEquals(2, tcp.written.size());
        assertTrue(tcp.link.writing, "a queued write keeps the slot: Liberty's pongs and closes wait for it");
        tcp.immediate = true;
        tcp.complete();
        assertEquals(3, tcp.written.size());
        assertArrayEquals(new byte[] {(byte) 0x81, 1, 'b', (byte) 0x81, 1, 'c'}, tcp.written.get(2));
        assertFalse(tcp.link.writing);
        assertEquals(0, session.pendingChars());
    }

    @Test
    void aWebSocketPingGoesToTheTcpChannelInsideLibertysWriteGuardNotThroughItsSynchronousSendPing() throws Exception {
        FakeTcp tcp = new FakeTcp();
        Session socket = liberty(tcp);
        CableSession session = new CableSession("sid-1", socket, 1_000_000, Long.MAX_VALUE, OutboxTest.DIRECT,
                TransportTest.strict(LibertyTransport.open(socket), socket));
        assertTrue(session.protocolPing(1, false));
        assertSame(Frame.PING.wire(), tcp.written.get(0), "the shared ping bytes, as a frame of the raw write");
        assertEquals(List.of(true), tcp.slotHeld, "written while holding Liberty's write slot");
        assertFalse(tcp.link.writing, "and the slot given back");
        assertEquals(0, session.pendingChars());
    }

    @Test
    void nothingIsWrittenOnceLibertyRefusesTheSlotAndAFailedWriteGivesItBack() throws Exception {
        FakeTcp tcp = new FakeTcp();
        LibertyTransport transport = LibertyTransport.open(liberty(tcp));
        tcp.link.status = Status.IO_NOT_OK; // closing
        AtomicReference<Throwable> failure = new AtomicReference<>();
        transport.write(List.of(new Frame("late")), result -> failure.set(result.getException()));
        assertEquals(List.of(), tcp.written);
        assertEquals("connection closed (IO_NOT_OK)", failure.get().getMessage());

        tcp.link.status = Status.OK;
        tcp.immediate = false;
        failure.set(null);
        transport.write(List.of(new Frame("x")), result -> failure.set(result.getException()));
        tcp.pending.error(tcp, tcp, new IOException("broken pipe"));
        assertEquals("broken pipe", failure.get().getMessage());
        assertFalse(tcp.link.writing);
    }

    @Test
    void tlsAndExtensionsKeepThePortablePath() throws Exception {
        FakeTcp tls = new FakeTcp();
        tls.ssl = new Object();
        assertNull(LibertyTransport.open(liberty(tls)));
        Extension deflate = (Extension) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {Extension.class}, (self, method, args) -> "permessage-deflate");
        FakeTcp plain = new FakeTcp();
        FakeLink link = new FakeLink(plain);
        plain.link = link;
        assertNull(LibertyTransport.open(session(new FakeLibertyRemote(new FakeAsyncImpl(link)), List.of(deflate))));
    }

    @Test
    void libertyIsChosenForItsContainersAndAnUnknownOneFallsBackToThePortablePath() {
        assertEquals(Transports.Kind.LIBERTY,
                Transports.choose("io.openliberty.wsoc.servercontainer21.ServerContainerExt21", false).kind());
        assertEquals(Transports.Kind.LIBERTY,
                Transports.choose("com.ibm.ws.wsoc.external.ServerContainerExt", false).kind());
        assertEquals(Transports.Kind.PORTABLE,
                Transports.choose("com.ibm.ws.wsoc.external.ServerContainerExt", true).kind());

        FakeTcp tcp = new FakeTcp();
        Transports liberty = Transports.choose("com.ibm.ws.wsoc.external.ServerContainerExt", false);
        assertInstanceOf(GuardedTransport.class, liberty.open(liberty(tcp)));
        // a "Liberty" whose remote endpoint has none of the internals: the connection gets the portable path
        OutboxTest.FakeSocket socket = new OutboxTest.FakeSocket(true, "actioncable-v1-ext-json");
        Transport opened = liberty.open(socket.session);
        assertInstanceOf(AsyncTransport.class, opened);
        assertEquals(Transports.Kind.PORTABLE, liberty.kind());
        new CableSession("sid-1", socket.session, 1_000_000, Long.MAX_VALUE, OutboxTest.DIRECT, opened)
                .send("still delivered");
        assertEquals(List.of("still delivered"), socket.frames);
    }

    @Test
    void aWriteThatThrowsBeforeTheChannelGivesTheSlotBackAndGoesOutOnThePortablePath() throws Exception {
        FakeTcp tcp = new FakeTcp();
        LibertyTransport raw = LibertyTransport.open(liberty(tcp));
        tcp.failSetBuffers = new IllegalStateException("internals changed");
        OutboxTest.FakeSocket portable = new OutboxTest.FakeSocket(true, "actioncable-v1-ext-json");
        AtomicReference<Throwable> reported = new AtomicReference<>();
        GuardedTransport guarded = new GuardedTransport(raw, new AsyncTransport(portable.session.getAsyncRemote(),
                false), reported::set);
        CableSession session = new CableSession("sid-1", portable.session, 1_000_000, Long.MAX_VALUE,
                OutboxTest.DIRECT, guarded);
        session.send("a");
        session.send("b");
        assertEquals(List.of("a", "b"), portable.frames);
        assertEquals(List.of(), tcp.written);
        assertFalse(tcp.link.writing, "Liberty's slot is not left taken");
        assertEquals("internals changed", reported.get().getMessage());
        assertFalse(guarded.adapted());
    }
}
