package dev.jcable.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.protocol.Codec;
import jakarta.websocket.SendResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The event stream's transport against a fake response whose stream is ready only when the test says so. */
class SseTransportTest {

    private static final String CONFIRM = Codec.typed("confirm_subscription", "\"{}\"");

    private final FakeEventStream out = new FakeEventStream(false);
    private final Map<String, Object> response = out.response;
    private final SseTransport transport = out.transport;
    private final List<SendResult> results = new ArrayList<>();

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

    /** An RPC application's own frames, passed on as it wrote them: type after identifier. */
    @Test
    void anRpcApplicationsConfirmationAndRejectionInTheirOwnKeyOrderDecideToo() {
        write(Codec.welcome("s1"), "{\"identifier\":\"{}\",\"type\":\"confirm_subscription\"}");
        assertEquals(200, response.get("status"));
        SseTransportTest rejected = new SseTransportTest();
        rejected.write(Codec.welcome("s1"), "{\"identifier\":\"{}\",\"type\":\"reject_subscription\"}");
        assertEquals(401, rejected.response.get("status"));
    }

    @Test
    void aRejectedSubscriptionIsA401WithAJsonBody() {
        write(Codec.welcome("s1"), Codec.typed("reject_subscription", "\"{}\""));
        assertEquals(401, response.get("status"));
        assertEquals("application/json", response.get("type"));
        assertEquals("{\"error\":\"unauthorized\",\"message\":\"the subscription was rejected\"}", out.text());
        assertEquals(1, out.completed.get());
        write(Codec.ping(1));
        assertFalse(results.get(1).isOK(), "nothing more is written after the refusal");
    }

    @Test
    void aRefusedConnectionIsA401AndARestartA503() {
        write(Codec.disconnect("unauthorized", false));
        assertEquals(401, response.get("status"));
        SseTransportTest other = new SseTransportTest();
        other.write(Codec.disconnect("server_restart", true));
        assertEquals(503, other.out.response.get("status"));
    }

    @Test
    void aCloseBeforeTheAnswerIsA500AndAfterItCompletesOnce() {
        transport.close();
        assertEquals(500, response.get("status"));
        assertEquals(1, out.completed.get());
        transport.close();
        assertEquals(1, out.completed.get());
        SseTransportTest open = new SseTransportTest();
        open.write(CONFIRM);
        open.transport.close();
        open.transport.close();
        assertEquals(1, open.out.completed.get());
    }

    @Test
    void aFailedWriteIsReported() throws Exception {
        write(CONFIRM);
        out.ready = false;
        out.listener.onWritePossible();
        out.listener.onError(new java.io.IOException("Broken pipe"));
        assertFalse(results.get(0).isOK());
        assertEquals(1, out.completed.get(), "the request is completed: the container would hold it in flight");
        transport.close(); // the session closes it after the failure: nothing more
        assertEquals(1, out.completed.get());
    }

    /** The fault Open Liberty's stop waited 30 s for: a write to a client that went left the request in flight. */
    @Test
    void aWriteThatThrowsCompletesTheRequestOnce() throws Exception {
        write(CONFIRM);
        out.listener.onWritePossible();
        out.broken = new java.io.IOException("Broken pipe");
        write(Codec.ping(5));
        assertFalse(results.get(1).isOK());
        assertEquals(1, out.completed.get());
        transport.close();
        write(Codec.ping(6));
        assertFalse(results.get(2).isOK(), "nothing is written after the failure");
        assertEquals(1, out.completed.get());
    }
}
