package dev.jcable.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.websocket.CloseReason;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.io.IOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;

/** The bounded outbound queue, driven through {@link CableSession} and a fake socket the test completes by hand. */
public class OutboxTest {

    static final SessionHost DIRECT = Runnable::run;
    static final String TOO_SLOW = "{\"type\":\"disconnect\",\"reason\":\"too_slow\",\"reconnect\":true}";

    /**
     * A fake {@link Session}: {@code getAsyncRemote().sendText(text, handler)} records the frame and keeps the handler
     * until the test calls {@link #complete()} (or completes it at once when {@code autoComplete}).
     */
    public static final class FakeSocket {
        public final List<String> frames = Collections.synchronizedList(new ArrayList<>());
        public final List<CloseReason> closes = new CopyOnWriteArrayList<>();
        public final LinkedBlockingDeque<SendHandler> inFlight = new LinkedBlockingDeque<>();
        /** Every setBatchingAllowed call, in order. */
        public final List<Boolean> batching = new CopyOnWriteArrayList<>();
        /** What a container keeps per connection ({@code Session.getUserProperties()}). */
        public final java.util.Map<String, Object> userProperties = new java.util.concurrent.ConcurrentHashMap<>();
        /** WebSocket pings written. */
        public final AtomicInteger pings = new AtomicInteger();
        /** The connection URL's query parameters ({@code Session.getRequestParameterMap()}). */
        public final java.util.Map<String, List<String>> query = new java.util.concurrent.ConcurrentHashMap<>();
        public final Session session;
        private final boolean autoComplete;
        private final String subprotocol;
        private volatile boolean open = true;
        private volatile RuntimeException sendFailure;

        public FakeSocket(boolean autoComplete, String subprotocol) {
            this.autoComplete = autoComplete;
            this.subprotocol = subprotocol;
            RemoteEndpoint.Async async = proxy(RemoteEndpoint.Async.class, this::async);
            this.session = proxy(Session.class, (method, args) -> session(method, args, async));
        }

        public FakeSocket() {
            this(false, "actioncable-v1-ext-json");
        }

        /** Completes the oldest outstanding write successfully. */
        public void complete() {
            SendHandler handler = inFlight.poll();
            assertTrue(handler != null, "no write in flight");
            handler.onResult(new SendResult());
        }

        public void fail(Throwable cause) {
            inFlight.remove().onResult(new SendResult(cause));
        }

        /** The next {@code sendText} throws instead of sending. */
        public void throwOnSend(RuntimeException e) {
            sendFailure = e;
        }

        private Object async(Method method, Object[] args) {
            if (method.getName().equals("sendText") && args.length == 2 && args[1] instanceof SendHandler handler) {
                RuntimeException failure = sendFailure;
                if (failure != null) {
                    sendFailure = null;
                    throw failure;
                }
                frames.add((String) args[0]);
                if (autoComplete) {
                    handler.onResult(new SendResult());
                } else {
                    inFlight.add(handler);
                }
                return null;
            }
            if (method.getName().equals("setSendTimeout")) {
                return null;
            }
            if (method.getName().equals("setBatchingAllowed")) {
                batching.add((Boolean) args[0]);
                return null;
            }
            if (method.getName().equals("flushBatch")) {
                frames.add("<flush>");
                return null;
            }
            if (method.getName().equals("sendPing")) {
                pings.incrementAndGet();
                return null;
            }
            throw new UnsupportedOperationException(method.toString());
        }

        private Object session(Method method, Object[] args, RemoteEndpoint.Async async) throws IOException {
            switch (method.getName()) {
                case "getAsyncRemote":
                    return async;
                case "getUserProperties":
                    return userProperties;
                case "getRequestParameterMap":
                    return query;
                case "setMaxIdleTimeout":
                    return null;
                case "getNegotiatedSubprotocol":
                    return subprotocol;
                case "getNegotiatedExtensions":
                    return List.of();
                case "getRequestURI":
                    return java.net.URI.create("/cable");
                case "getQueryString":
                    return query.isEmpty() ? null : query.entrySet().stream()
                            .map(e -> e.getKey() + "=" + e.getValue().get(0))
                            .collect(java.util.stream.Collectors.joining("&"));
                case "isSecure":
                    return false;
                case "isOpen":
                    return open;
                case "close":
                    closes.add(args == null ? null : (CloseReason) args[0]);
                    open = false;
                    return null;
                default:
                    throw new UnsupportedOperationException(method.toString());
            }
        }

        interface Handler {
            Object handle(Method method, Object[] args) throws Throwable;
        }

        @SuppressWarnings("unchecked")
        private static <T> T proxy(Class<T> type, Handler handler) {
            InvocationHandler invocation = (self, method, args) -> switch (method.getName()) {
                case "equals" -> self == args[0];
                case "hashCode" -> System.identityHashCode(self);
                case "toString" -> "fake " + type.getSimpleName();
                default -> handler.handle(method, args);
            };
            return (T) Proxy.newProxyInstance(OutboxTest.class.getClassLoader(), new Class<?>[] {type}, invocation);
        }
    }

    final FakeSocket socket = new FakeSocket();
    /** Writes the completer thread has picked up. */
    final AtomicInteger taken = new AtomicInteger();

    CableSession session(long maxPending) {
        return new CableSession("sid-1", socket.session, maxPending, Long.MAX_VALUE, DIRECT, Transports.portable());
    }

    @Test
    void framesGoOutOneAtATimeInOrder() {
        CableSession session = session(1_000);
        assertTrue(session.send("a"));
        assertTrue(session.send("bb"));
        assertTrue(session.send("ccc"));
        assertEquals(List.of("a"), socket.frames);
        socket.complete();
        assertEquals(List.of("a", "bb"), socket.frames);
        socket.complete();
        assertEquals(List.of("a", "bb", "ccc"), socket.frames);
        socket.complete();
        assertEquals(0, socket.inFlight.size());
        assertTrue(session.send("d"));
        assertEquals(List.of("a", "bb", "ccc", "d"), socket.frames);
    }

    @Test
    void pendingCharsCountQueuedAndInFlightFrames() {
        CableSession session = session(1_000);
        session.send("a");
        session.send("bb");
        session.send("ccc");
        assertEquals(6, session.pendingChars());
        socket.complete();
        assertEquals(5, session.pendingChars());
        socket.complete();
        socket.complete();
        assertEquals(0, session.pendingChars());
    }

    @Test
    void writesThatCompleteAtOnceDrainEverything() {
        FakeSocket fast = new FakeSocket(true, null);
        CableSession session = new CableSession("sid-2", fast.session, 1_000, Long.MAX_VALUE, DIRECT,
                Transports.portable());
        for (int i = 0; i < 5; i++) {
            assertTrue(session.send("f" + i));
        }
        assertEquals(List.of("f0", "f1", "f2", "f3", "f4"), fast.frames);
        assertEquals(0, session.pendingChars());
    }

    @Test
    void tooSlowConsumerIsDisconnectedWithAFinalFrame() {
        CableSession session = session(20);
        assertTrue(session.send("0123456789"));   // in flight
        assertTrue(session.send("abcdefghij"));   // queued: 20 chars pending, at the limit
        assertFalse(session.send("x"));           // 21 > 20
        assertTrue(session.disconnecting());
        assertFalse(session.send("y"));
        assertEquals(List.of("0123456789"), socket.frames);
        assertEquals(List.of(), socket.closes);

        socket.complete();
        assertEquals(List.of("0123456789", TOO_SLOW), socket.frames); // the queued frame was dropped
        assertEquals(List.of(), socket.closes, "closed only once the disconnect frame is written");
        socket.complete();
        assertEquals(TOO_SLOW, socket.frames.get(socket.frames.size() - 1));
        assertClosedWith(CloseReason.CloseCodes.NORMAL_CLOSURE, "Too slow");
        assertEquals(0, session.pendingChars());
    }

    @Test
    void aSingleFrameLargerThanTheLimitIsNeverASlowConsumer() {
        CableSession session = session(5);
        assertTrue(session.send("0123456789"), "nothing waits: a frame of any size goes out");
        socket.complete();
        assertTrue(session.send("a"));                    // in flight: 1 char waits
        assertTrue(session.send("x".repeat(50)), "less than the limit waits: the large frame is queued");
        assertFalse(session.disconnecting());
        completeAll();
        assertEquals(List.of("0123456789", "a", "x".repeat(50)), socket.frames);
        assertEquals(0, session.pendingChars());
    }

    @Test
    void onceTheLimitIsWaitingTheNextFrameOverflows() {
        CableSession session = session(5);
        assertTrue(session.send("0123456"));               // in flight, 7 chars: at the limit already
        assertFalse(session.send("b"));
        assertTrue(session.disconnecting());
        completeAll();
        assertEquals(List.of("0123456", TOO_SLOW), socket.frames);
        assertClosedWith(CloseReason.CloseCodes.NORMAL_CLOSURE, "Too slow");
    }

    @Test
    void anOverflowIsReportedOnceNotPerRefusedFrame() {
        List<Runnable> tasks = new ArrayList<>();
        CableSession session = new CableSession("sid-3", socket.session, 5, Long.MAX_VALUE, tasks::add,
                Transports.portable());
        assertTrue(session.send("0123456"));
        for (int i = 0; i < 100; i++) {
            assertFalse(session.send("refused " + i));
        }
        assertEquals(1, tasks.size(), "one disconnect task, however many frames were refused");
        assertFalse(session.disconnecting(), "the disconnect waits for its task");
        tasks.get(0).run();
        completeAll();
        assertEquals(List.of("0123456", TOO_SLOW), socket.frames);
    }

    @Test
    void aFrameLargerThanTheLargestIsDroppedAndTheSessionCarriesOn() {
        CableSession session = new CableSession("sid-4", socket.session, 1_000, 100, DIRECT, Transports.portable());
        assertFalse(session.send("x".repeat(101)));
        assertFalse(session.disconnecting());
        assertTrue(session.send("x".repeat(100)));
        assertTrue(session.send("next"));
        completeAll();
        assertEquals(List.of("x".repeat(100), "next"), socket.frames);
    }

    @Test
    void anExecutorThatRefusesNeverReachesTheCallerOfSend() {
        SessionHost refusing = task -> {
            throw new java.util.concurrent.RejectedExecutionException("undeploying");
        };
        CableSession session = new CableSession("sid-5", socket.session, 5, Long.MAX_VALUE, refusing,
                Transports.portable());
        assertTrue(session.send("0123456"));
        assertFalse(session.send("overflow"));      // the too_slow disconnect runs here instead
        assertTrue(session.disconnecting());
        completeAll();
        assertEquals(List.of("0123456", TOO_SLOW), socket.frames);
        assertClosedWith(CloseReason.CloseCodes.NORMAL_CLOSURE, "Too slow");
    }

    @Test
    void aPingTakesTheWriteSlotOnlyWhenItIsFreeAndTheQueueGoesOnAfterIt() {
        CableSession session = session(1_000);
        assertTrue(session.send("a"));                          // in flight
        assertFalse(session.protocolPing(1, false), "never interleaved with a write in flight");
        assertEquals(0, socket.pings.get());
        socket.complete();
        assertTrue(session.protocolPing(2, false));
        assertEquals(1, socket.pings.get());
        assertTrue(session.send("b"));
        assertEquals(List.of("a", "b"), socket.frames, "the slot was given back after the ping");
        socket.complete();
        assertEquals(2, session.writesCompleted());
    }

    @Test
    void otherDisconnectsFlushWhatIsQueuedFirst() {
        CableSession session = session(1_000);
        session.send("a");
        session.send("b");
        session.disconnect("server_restart", true, CloseReason.CloseCodes.GOING_AWAY, "Server restart");
        session.disconnect("remote", false, CloseReason.CloseCodes.NORMAL_CLOSURE, "again");
        assertFalse(session.send("c"));
        completeAll();
        assertEquals(List.of("a", "b", "{\"type\":\"disconnect\",\"reason\":\"server_restart\",\"reconnect\":true}"),
                socket.frames);
        assertClosedWith(CloseReason.CloseCodes.GOING_AWAY, "Server restart");
    }

    @Test
    void failedWriteClosesTheSocketWith1011() {
        CableSession session = session(1_000);
        session.send("a");
        socket.fail(new IOException("broken pipe"));
        assertClosedWith(CloseReason.CloseCodes.UNEXPECTED_CONDITION, "Write failed"); // 1006 is never sent
        assertEquals(0, session.pendingChars());
    }

    @Test
    void throwingSendClosesTheSocketWith1011() {
        CableSession session = session(1_000);
        socket.throwOnSend(new IllegalStateException("socket closed"));
        session.send("a");
        assertClosedWith(CloseReason.CloseCodes.UNEXPECTED_CONDITION, "Write failed");
    }

    @Test
    void concurrentCompletionsKeepOrderAndLoseNothing() throws Exception {
        int count = 20_000;
        CableSession session = session(Long.MAX_VALUE);
        Thread completer = new Thread(() -> completeUntil(count));
        completer.start();
        for (int i = 0; i < count; i++) {
            assertTrue(session.send(Integer.toString(i)));
        }
        completer.join(TimeUnit.SECONDS.toMillis(60));
        assertFalse(completer.isAlive(), "writes stalled after " + socket.frames.size() + " frames");
        List<String> expected = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            expected.add(Integer.toString(i));
        }
        assertEquals(expected, socket.frames);
        assertEquals(0, session.pendingChars());
    }

    @Test
    void frameOfferedWhileTheLastWriteCompletesIsNotStranded() throws Exception {
        int count = 40_000;
        CableSession session = session(Long.MAX_VALUE);
        Thread completer = new Thread(() -> completeUntil(count));
        completer.start();
        try {
            for (int i = 0; i < count; i++) {
                session.send(Integer.toString(i));
                // offer the next frame just as the completer picks up this write: the two pumps race
                awaitCount(taken::get, i + 1, "write " + i + " was never started");
            }
            awaitCount(socket.frames::size, count, "the last frame was never written");
        } catch (AssertionError e) {
            completer.interrupt();
            throw e;
        } finally {
            completer.join(TimeUnit.SECONDS.toMillis(60));
        }
        assertEquals(count, socket.frames.size());
    }

    /** Spins (bounded, no sleep) until {@code value} reaches {@code n}; a stranded frame never gets there. */
    private static void awaitCount(IntSupplier value, int n, String failure) {
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (value.getAsInt() < n) {
            assertTrue(System.nanoTime() < giveUp, failure);
            Thread.onSpinWait();
        }
    }

    private void completeUntil(int count) {
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int done = 0;
        try {
            while (done < count && System.nanoTime() < giveUp) {
                SendHandler handler = socket.inFlight.poll(100, TimeUnit.MILLISECONDS);
                if (handler != null) {
                    taken.incrementAndGet();
                    handler.onResult(new SendResult());
                    done++;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void completeAll() {
        while (!socket.inFlight.isEmpty()) {
            socket.complete();
        }
    }

    private void assertClosedWith(CloseReason.CloseCode code, String phrase) {
        assertEquals(1, socket.closes.size(), "close() calls");
        CloseReason reason = socket.closes.get(0);
        assertEquals(code.getCode(), reason.getCloseCode().getCode());
        assertEquals(phrase, reason.getReasonPhrase());
    }
}
