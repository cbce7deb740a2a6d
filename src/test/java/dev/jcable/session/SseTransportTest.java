package dev.jcable.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.protocol.Codec;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.websocket.SendResult;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The event stream's transport against a fake response whose stream is ready only when the test says so. */
class SseTransportTest {

    private static final String CONFIRM = Codec.typed("confirm_subscription", "\"{}\"");

    /** A non-blocking output stream: writes land in {@code written}, ready as {@code ready} says. */
    static final class FakeStream extends ServletOutputStream {
        final ByteArrayOutputStream written = new ByteArrayOutputStream();
        boolean ready = true;
        WriteListener listener;
        int flushes;

        @Override
        public boolean isReady() {
            return ready;
        }

        @Override
        public void setWriteListener(WriteListener listener) {
            this.listener = listener;
        }

        @Override
        public void write(int b) {
            written.write(b);
        }

        @Override
        public void flush() {
            flushes++;
        }

        String text() {
            return written.toString(StandardCharsets.UTF_8);
        }
    }

    private final FakeStream out = new FakeStream();
    private final Map<String, Object> response = new HashMap<>();
    private int completed;
    private final SseTransport transport = new SseTransport(asyncContext(), response());
    private final List<SendResult> results = new ArrayList<>();

    private AsyncContext asyncContext() {
        return (AsyncContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {AsyncContext.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("complete")) {
                        completed++;
                    }
                    return null;
                });
    }

    private HttpServletResponse response() {
        return (HttpServletResponse) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {HttpServletResponse.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getOutputStream" -> out;
                    case "setStatus" -> response.put("status", args[0]);
                    case "setContentType" -> response.put("type", args[0]);
                    case "setHeader" -> response.put((String) args[0], args[1]);
                    default -> null;
                });
    }

    private void write(String... frames) {
        List<Frame> list = new ArrayList<>();
        for (String frame : frames) {
            list.add(new Frame(frame));
        }
        transport.write(list, results::add);
    }

    @Test
    void framesWaitForTheSubscriptionsAnswerThenGoOutWithA200() throws Exception {
        write(Codec.welcome("s1"));
        assertEquals(1, results.size(), "held frames count as written: the outbox hands over the next ones");
        assertNull(response.get("status"), "nothing committed before the subscription's answer");
        write(CONFIRM);
        assertEquals(200, response.get("status"));
        assertEquals("text/event-stream", response.get("type"));
        assertEquals("no-cache", response.get("Cache-Control"));
        assertEquals(1, results.size(), "written once the container says the stream is ready");
        out.listener.onWritePossible();
        assertEquals(2, results.size());
        assertTrue(results.get(1).isOK());
        assertEquals(SseFrames.event(Codec.welcome("s1")) + SseFrames.event(CONFIRM), out.text());
        assertEquals(1, out.flushes);
    }

    @Test
    void aSlowReaderHoldsTheWriteUntilTheStreamIsReadyAgain() throws Exception {
        write(CONFIRM);
        out.listener.onWritePossible();
        out.ready = false;
        write(Codec.ping(5));
        assertEquals(1, results.size(), "not ready: the write waits, the outbox queues (and bounds) what follows");
        out.ready = true;
        out.listener.onWritePossible();
        assertEquals(2, results.size());
        assertTrue(out.text().endsWith(SseFrames.event(Codec.ping(5))));
    }

    @Test
    void aRejectedSubscriptionIsA401WithAJsonBody() {
        write(Codec.welcome("s1"), Codec.typed("reject_subscription", "\"{}\""));
        assertEquals(401, response.get("status"));
        assertEquals("application/json", response.get("type"));
        assertEquals("{\"error\":\"unauthorized\",\"message\":\"the subscription was rejected\"}", out.text());
        assertEquals(1, completed);
        write(Codec.ping(1));
        assertFalse(results.get(1).isOK(), "nothing more is written after the refusal");
    }

    @Test
    void aRefusedConnectionIsA401AndARestartA503() {
        write(Codec.disconnect("unauthorized", false));
        assertEquals(401, response.get("status"));
        SseTransportTest other = new SseTransportTest();
        other.write(Codec.disconnect("server_restart", true));
        assertEquals(503, other.response.get("status"));
    }

    @Test
    void aCloseBeforeTheAnswerIsA500AndAfterItCompletesOnce() {
        transport.close();
        assertEquals(500, response.get("status"));
        assertEquals(1, completed);
        transport.close();
        assertEquals(1, completed);
        SseTransportTest open = new SseTransportTest();
        open.write(CONFIRM);
        open.transport.close();
        open.transport.close();
        assertEquals(1, open.completed);
    }

    @Test
    void aFailedWriteIsReported() throws Exception {
        write(CONFIRM);
        out.ready = false;
        out.listener.onWritePossible();
        out.listener.onError(new java.io.IOException("Broken pipe"));
        assertFalse(results.get(0).isOK());
    }
}
