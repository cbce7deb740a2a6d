package dev.jcable.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.websocket.Extension;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.glassfish.tyrus.spi.CompletionHandler;
import org.glassfish.tyrus.spi.Writer;
import org.junit.jupiter.api.Test;

/** The transport seam: frames encoded once, batches, the container adapters, and the fall-back to the portable path. */
class TransportTest {

    // ---- frames --------------------------------------------------------------------------------------

    @Test
    void aFrameIsEncodedOnceAsAnUnmaskedRfc6455TextFrame() {
        assertArrayEquals(new byte[] {(byte) 0x81, 2, 'h', 'i'}, new Frame("hi").wire());
        byte[] e = new Frame("\u00e9").wire(); // two UTF-8 bytes
        assertArrayEquals(new byte[] {(byte) 0x81, 2, (byte) 0xC3, (byte) 0xA9}, e);
        byte[] header125 = Arrays.copyOf(new Frame("x".repeat(125)).wire(), 2);
        assertArrayEquals(new byte[] {(byte) 0x81, 125}, header125);
        byte[] w126 = new Frame("x".repeat(126)).wire();
        assertArrayEquals(new byte[] {(byte) 0x81, 126, 0, 126}, Arrays.copyOf(w126, 4));
        assertEquals(4 + 126, w126.length);
        byte[] w65535 = new Frame("x".repeat(65535)).wire();
        assertArrayEquals(new byte[] {(byte) 0x81, 126, (byte) 0xFF, (byte) 0xFF}, Arrays.copyOf(w65535, 4));
        byte[] w65536 = new Frame("x".repeat(65536)).wire();
        assertArrayEquals(new byte[] {(byte) 0x81, 127, 0, 0, 0, 0, 0, 1, 0, 0}, Arrays.copyOf(w65536, 10));
        assertEquals(10 + 65536, w65536.length);
        Frame shared = new Frame("{\"type\":\"ping\"}");
        assertSame(shared.wire(), shared.wire());
    }

    // ---- the outbox's batches ------------------------------------------------------------------------

    /** Records each write's frames and keeps its completion for the test to call. */
    static final class Recording implements Transport {
        final List<List<String>> writes = new ArrayList<>();
        final List<SendHandler> pending = new ArrayList<>();

        @Override
        public void write(List<Frame> frames, SendHandler done) {
            writes.add(frames.stream().map(Frame::text).toList());
            pending.add(done);
        }

        @Override
        public int maxFrames() {
            return 256;
        }

        @Override
        public void ping() {
            writes.add(List.of("<ping>"));
        }

        void completeNext() {
            pending.remove(0).onResult(new SendResult());
        }
    }

    private static CableSession session(OutboxTest.FakeSocket socket, Transport transport) {
        return new CableSession("sid-1", socket.session, 1_000_000, Long.MAX_VALUE, OutboxTest.DIRECT, transport);
    }

    @Test
    void framesQueuedBehindAWriteLeaveTogetherInTheNextOne() {
        Recording transport = new Recording();
        CableSession session = session(new OutboxTest.FakeSocket(), transport);
        session.send("a");
        session.send("b");
        session.send("c");
        session.send("d");
        assertEquals(List.of(List.of("a")), transport.writes);
        transport.completeNext();
        assertEquals(List.of(List.of("a"), List.of("b", "c", "d")), transport.writes);
        transport.completeNext();
        session.send("e");
        assertEquals(List.of("e"), transport.writes.get(2));
        assertEquals(1, session.pendingChars());
        transport.completeNext();
        assertEquals(0, session.pendingChars());
    }

    @Test
    void aBatchStopsAtItsSizeAndTheFrameThatDidNotFitLeadsTheNext() {
        Recording transport = new Recording();
        CableSession session = session(new OutboxTest.FakeSocket(), transport);
        String big = "x".repeat(Outbox.MAX_BATCH_CHARS / 2 + 1);
        session.send("first");
        session.send(big + "1");
        session.send(big + "2");
        session.send("small");
        transport.completeNext();
        assertEquals(List.of(big + "1"), transport.writes.get(1));
        transport.completeNext();
        assertEquals(List.of(big + "2", "small"), transport.writes.get(2));
    }

    @Test
    void aWriteBatchHoldsWritesUntilItsFlushThenOneWriteTakesThemAll() {
        Recording transport = new Recording();
        CableSession session = session(new OutboxTest.FakeSocket(), transport);
        try (WriteBatch batch = WriteBatch.open()) {
            session.send("a");
            session.send("b");
            assertEquals(List.of(), transport.writes, "held");
            batch.flush();
            assertEquals(List.of(List.of("a", "b")), transport.writes);
            session.send("c"); // a write is in flight: queued behind it, held again
            transport.completeNext();
            assertEquals(List.of(List.of("a", "b"), List.of("c")), transport.writes,
                    "a completion writes what queued, held or not");
        }
        transport.completeNext();
        session.send("d");
        assertEquals(List.of("d"), transport.writes.get(2), "outside a batch, writes go out at once");
    }

    @Test
    void aOneMessagePerWriteTransportIsNeverHeld() {
        OutboxTest.FakeSocket socket = new OutboxTest.FakeSocket(true, "actioncable-v1-ext-json");
        CableSession session = session(socket, new AsyncTransport(socket.session.getAsyncRemote(), false));
        try (WriteBatch batch = WriteBatch.open()) {
            session.send("a");
            // Liberty: holding gains nothing there, and held writes piled up behind clients' closes (Liberty blocks
            // a pool thread per incoming close until the connection's write in progress completes)
            assertEquals(List.of("a"), socket.frames, "written at once, inside a batch too");
        }
    }

    // ---- the portable path, plain and batched (Undertow) ---------------------------------------------

    @Test
    void undertowBatchesWhatQueuedAndFlushesOncePerWriteWithBatchingOffBeforeTheFlush() {
        OutboxTest.FakeSocket socket = new OutboxTest.FakeSocket();
        CableSession session = session(socket, new AsyncTransport(socket.session.getAsyncRemote(), true));
        session.send("a");
        session.send("b");
        session.send("c");
        assertEquals(List.of("a", "<flush>"), socket.frames);
        socket.complete();
        assertEquals(List.of("a", "<flush>", "b", "c", "<flush>"), socket.frames);
        assertEquals(List.of(true, false, true, false), socket.batching);
        assertEquals(2, session.pendingChars(), "b and c are in flight");
        socket.complete();
        assertEquals(2, session.pendingChars(), "a batch counts as written when all of it is");
        socket.complete();
        assertEquals(0, session.pendingChars());
    }

    @Test
    void aFailureInABatchIsReportedOnceAndClosesTheConnection() {
        OutboxTest.FakeSocket socket = new OutboxTest.FakeSocket();
        CableSession session = session(socket, new AsyncTransport(socket.session.getAsyncRemote(), true));
        session.send("a");
        session.send("b");
        session.send("c");
        socket.complete();
        socket.fail(new java.io.IOException("reset"));
        socket.fail(new java.io.IOException("reset"));
        assertEquals(1, socket.closes.size(), "closed once, whichever of the batch's sends failed");
    }

    // ---- the guard -----------------------------------------------------------------------------------

    @Test
    void anAdapterThatThrowsLeavesThePortablePathWorkingAndLosesNoFrame() {
        OutboxTest.FakeSocket socket = new OutboxTest.FakeSocket(true, "actioncable-v1-ext-json");
        FrameWriter broken = brokenWriter(false);
        AtomicReference<Throwable> reported = new AtomicReference<>();
        GuardedTransport guarded = new GuardedTransport(broken,
                new AsyncTransport(socket.session.getAsyncRemote(), false), reported::set);
        CableSession session = session(socket, guarded);
        session.send("a");
        session.send("b");
        assertEquals(List.of("a", "b"), socket.frames);
        assertEquals("internals changed", reported.get().getMessage());
        assertFalse(guarded.adapted());
        assertEquals(0, session.pendingChars());
        assertEquals(List.of(), socket.closes);
    }

    @Test
    void theTransportIsChosenByContainerAndFallsBackOnceForGood() {
        assertEquals(Transports.Kind.TYRUS,
                Transports.choose("org.glassfish.tyrus.servlet.TyrusServerContainer", false).kind());
        assertEquals(Transports.Kind.UNDERTOW,
                Transports.choose("io.undertow.websockets.jsr.ServerWebSocketContainer", false).kind());
        assertEquals(Transports.Kind.PORTABLE,
                Transports.choose("org.apache.tomcat.websocket.server.WsServerContainer", false).kind());
        assertEquals(Transports.Kind.PORTABLE, Transports.choose(null, false).kind());
        assertEquals(Transports.Kind.PORTABLE,
                Transports.choose("org.glassfish.tyrus.servlet.TyrusServerContainer", true).kind());

        // a "Tyrus" whose remote endpoint has none of the internals: the connection gets the portable path
        Transports tyrus = Transports.choose("org.glassfish.tyrus.servlet.TyrusServerContainer", false);
        OutboxTest.FakeSocket socket = new OutboxTest.FakeSocket(true, "actioncable-v1-ext-json");
        Transport opened = tyrus.open(socket.session);
        assertInstanceOf(AsyncTransport.class, opened);
        assertEquals(Transports.Kind.PORTABLE, tyrus.kind());
        CableSession session = session(socket, opened);
        session.send("still delivered");
        assertEquals(List.of("still delivered"), socket.frames);
    }

    // ---- Tyrus: ready-made frames to the connection's writer ----------------------------------------

    /** Stands in for Tyrus' {@code TyrusRemoteEndpoint$Async}: what TyrusTransport reads are the field names. */
    static final class FakeTyrusRemote extends FakeAsync {
        final Object webSocket;
        int pings;

        @Override
        public void sendPing(ByteBuffer applicationData) {
            pings++;
        }

        FakeTyrusRemote(Object webSocket) {
            this.webSocket = webSocket;
        }
    }

    enum FakeState { NEW, CONNECTED, CLOSING, CLOSED }

    static final class FakeTyrusSocket {
        final Object protocolHandler;
        final AtomicReference<FakeState> state = new AtomicReference<>(FakeState.CONNECTED);

        FakeTyrusSocket(Object protocolHandler) {
            this.protocolHandler = protocolHandler;
        }
    }

    static final class FakeProtocolHandler {
        volatile Writer writer;
    }

    static final class RecordingWriter extends Writer {
        final List<ByteBuffer> buffers = new ArrayList<>();
        final List<CompletionHandler<ByteBuffer>> handlers = new ArrayList<>();

        @Override
        public void write(ByteBuffer buffer, CompletionHandler<ByteBuffer> completionHandler) {
            buffers.add(buffer);
            handlers.add(completionHandler);
        }

        @Override
        public void close() {
        }

        void completeNext() {
            CompletionHandler<ByteBuffer> handler = handlers.remove(0);
            handler.completed(null);
        }
    }

    private static Session tyrusSession(RemoteEndpoint.Async remote, List<Extension> extensions) {
        return (Session) Proxy.newProxyInstance(TransportTest.class.getClassLoader(), new Class<?>[] {Session.class},
                (self, method, args) -> switch (method.getName()) {
                    case "getAsyncRemote" -> remote;
                    case "getNegotiatedExtensions" -> extensions;
                    case "getNegotiatedSubprotocol" -> "actioncable-v1-ext-json";
                    case "hashCode" -> System.identityHashCode(self);
                    case "equals" -> self == args[0];
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }

    @Test
    void tyrusWritesReadyFramesQueuedOnesGatheredIntoOneBufferAndSharedFramesUncopied() throws Exception {
        FakeProtocolHandler handler = new FakeProtocolHandler();
        RecordingWriter writer = new RecordingWriter();
        handler.writer = writer;
        Session socket = tyrusSession(new FakeTyrusRemote(new FakeTyrusSocket(handler)), List.of());
        TyrusTransport transport = TyrusTransport.open(socket);
        assertNotNull(transport);
        CableSession session = new CableSession("sid-1", socket, 1_000_000, Long.MAX_VALUE, OutboxTest.DIRECT,
                strict(transport, socket));

        Frame broadcast = new Frame("{\"message\":1}");
        session.send(broadcast);
        session.send("b");
        session.send("c");
        assertEquals(1, writer.buffers.size());
        assertSame(broadcast.wire(), writer.buffers.get(0).array(), "one frame is written from the shared bytes");
        writer.completeNext();
        assertEquals(2, writer.buffers.size());
        byte[] gathered = bytes(writer.buffers.get(1));
        assertArrayEquals(new byte[] {(byte) 0x81, 1, 'b', (byte) 0x81, 1, 'c'}, gathered);
        assertEquals(2, session.pendingChars());
        writer.completeNext();
        assertEquals(0, session.pendingChars());
    }

    @Test
    void aPingIsTwoSharedBytesAndNoMessage() {
        assertArrayEquals(new byte[] {(byte) 0x89, 0}, Frame.PING.wire(), "FIN + ping opcode, no payload, unmasked");
        assertSame(Frame.PING.wire(), Frame.PING.wire());
        assertEquals(0, Frame.PING.chars());
        assertEquals(0, Frame.PING.bytes());
        assertTrue(Frame.PING.isPing());
        assertFalse(new Frame("").isPing());
    }

    @Test
    void onTyrusAWebSocketPingIsAFrameOfTheRawWriteAndAJsonPingHeldWithItSharesTheWrite() throws Exception {
        FakeProtocolHandler handler = new FakeProtocolHandler();
        RecordingWriter writer = new RecordingWriter();
        handler.writer = writer;
        FakeTyrusRemote remote = new FakeTyrusRemote(new FakeTyrusSocket(handler));
        Session socket = tyrusSession(remote, List.of());
        CableSession session = new CableSession("sid-1", socket, 1_000_000, Long.MAX_VALUE, OutboxTest.DIRECT,
                strict(TyrusTransport.open(socket), socket));

        long sent = dev.jcable.metrics.Counter.SERVER_MSG.count();
        assertTrue(session.protocolPing(1, false));
        assertEquals(0, remote.pings, "not the container's sendPing");
        assertArrayEquals(new byte[] {(byte) 0x89, 0}, bytes(writer.buffers.get(0)));
        assertSame(Frame.PING.wire(), writer.buffers.get(0).array(), "every connection's ping is the same bytes");
        assertFalse(session.protocolPing(2, false), "never a second write while one is in flight");
        writer.completeNext();
        assertEquals(sent, dev.jcable.metrics.Counter.SERVER_MSG.count(), "a ping is no message sent");
        assertEquals(0, session.pendingChars());

        // a JSON ping and a WebSocket ping in one pass (one WriteBatch): one write, the ping first
        Frame json = new Frame("{\"type\":\"ping\",\"message\":7}");
        try (WriteBatch batch = WriteBatch.open()) {
            session.applicationPing(json, 3);
            assertTrue(session.protocolPing(3, false));
        }
        assertEquals(2, writer.buffers.size());
        byte[] expected = new byte[2 + json.wire().length];
        expected[0] = (byte) 0x89;
        System.arraycopy(json.wire(), 0, expected, 2, json.wire().length);
        assertArrayEquals(expected, bytes(writer.buffers.get(1)));
        writer.completeNext();
        assertEquals(sent + 1, dev.jcable.metrics.Counter.SERVER_MSG.count(), "the JSON ping is one message");
        assertEquals(0, session.pendingChars());
    }

    @Test
    void aPingInAWriteThatFallsBackGoesOutThroughTheContainersSendPingAndTheFramesAfterIt() {
        OutboxTest.FakeSocket socket = new OutboxTest.FakeSocket(true, "actioncable-v1-ext-json");
        FrameWriter broken = brokenWriter(true);
        AtomicReference<Throwable> reported = new AtomicReference<>();
        GuardedTransport guarded = new GuardedTransport(broken,
                new AsyncTransport(socket.session.getAsyncRemote(), false), reported::set);
        assertTrue(guarded.writesPings());
        CableSession session = session(socket, guarded);
        try (WriteBatch batch = WriteBatch.open()) {
            session.send("a");
            assertTrue(session.protocolPing(1, false));
        }
        assertEquals(1, socket.pings.get(), "the ping, through the container's sendPing");
        assertEquals(List.of("a"), socket.frames, "and the frame after it");
        assertEquals("internals changed", reported.get().getMessage());
        assertFalse(guarded.writesPings(), "the portable path takes no ping in its writes");
        assertTrue(session.protocolPing(2, false));
        assertEquals(2, socket.pings.get());
        assertEquals(0, session.pendingChars());
        assertEquals(List.of(), socket.closes);
    }

    @Test
    void tyrusNeverWritesToAClosedConnectionWhoseStreamTheContainerMayHaveRecycled() throws Exception {
        FakeProtocolHandler handler = new FakeProtocolHandler();
        RecordingWriter writer = new RecordingWriter();
        handler.writer = writer;
        FakeTyrusSocket webSocket = new FakeTyrusSocket(handler);
        Session socket = tyrusSession(new FakeTyrusRemote(webSocket), List.of());
        TyrusTransport transport = TyrusTransport.open(socket);
        for (FakeState closing : new FakeState[] {FakeState.CLOSING, FakeState.CLOSED}) {
            webSocket.state.set(closing);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            transport.write(List.of(new Frame("late")), result -> failure.set(result.getException()));
            assertEquals(List.of(), writer.buffers, "nothing written once " + closing);
            assertEquals("connection closed", failure.get().getMessage());
        }
    }

    @Test
    void tyrusLeavesAConnectionWithAnExtensionToThePortablePath() throws Exception {
        FakeProtocolHandler handler = new FakeProtocolHandler();
        handler.writer = new RecordingWriter();
        Extension deflate = (Extension) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {Extension.class}, (self, method, args) -> "permessage-deflate");
        assertNull(TyrusTransport.open(tyrusSession(new FakeTyrusRemote(new FakeTyrusSocket(handler)),
                List.of(deflate))));
    }

    @Test
    void aFailedTyrusWriteClosesTheConnection() throws Exception {
        FakeProtocolHandler handler = new FakeProtocolHandler();
        RecordingWriter writer = new RecordingWriter();
        handler.writer = writer;
        Session socket = tyrusSession(new FakeTyrusRemote(new FakeTyrusSocket(handler)), List.of());
        AtomicReference<Throwable> failure = new AtomicReference<>();
        TyrusTransport.open(socket).write(List.of(new Frame("x")), result -> failure.set(result.getException()));
        writer.handlers.get(0).failed(new java.io.IOException("broken pipe"));
        assertEquals("broken pipe", failure.get().getMessage());
    }

    /** A do-nothing {@link RemoteEndpoint.Async}, so that the fake Tyrus remote is a real class with fields. */
    abstract static class FakeAsync implements RemoteEndpoint.Async {
        @Override public long getSendTimeout() { return 0; }
        @Override public void setSendTimeout(long timeoutmillis) { }
        @Override public void sendText(String text, SendHandler handler) { throw new UnsupportedOperationException(); }
        @Override public Future<Void> sendText(String text) { throw new UnsupportedOperationException(); }
        @Override public Future<Void> sendBinary(ByteBuffer data) { throw new UnsupportedOperationException(); }
        @Override public void sendBinary(ByteBuffer data, SendHandler handler) { throw new UnsupportedOperationException(); }
        @Override public Future<Void> sendObject(Object data) { throw new UnsupportedOperationException(); }
        @Override public void sendObject(Object data, SendHandler handler) { throw new UnsupportedOperationException(); }
        @Override public void setBatchingAllowed(boolean allowed) { }
        @Override public boolean getBatchingAllowed() { return false; }
        @Override public void flushBatch() { }
        @Override public void sendPing(ByteBuffer applicationData) { }
        @Override public void sendPong(ByteBuffer applicationData) { }
    }

    /** {@code raw} as the server uses it, with the portable path behind it; a fallback fails the test. */
    static Transport strict(FrameWriter raw, Session socket) {
        return new GuardedTransport(raw, new AsyncTransport(socket.getAsyncRemote(), false), e -> {
            throw new AssertionError("the adapter fell back to the portable path", e);
        });
    }

    /** An adapter whose write throws, as one would after the container's internals changed. */
    private static FrameWriter brokenWriter(boolean writesPings) {
        return new FrameWriter() {
            @Override
            public void write(List<Frame> frames, SendHandler done) {
                throw new IllegalStateException("internals changed");
            }

            @Override
            public int maxFrames() {
                return 256;
            }

            @Override
            public boolean writesPings() {
                return writesPings;
            }
        };
    }
}
