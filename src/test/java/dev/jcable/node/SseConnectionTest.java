package dev.jcable.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.broker.Publication;
import dev.jcable.broker.RemoteCommand;
import dev.jcable.config.Option;
import dev.jcable.identity.ContainerLogin;
import dev.jcable.identity.HandshakeHeaders;
import dev.jcable.protocol.JsonText;
import dev.jcable.session.CableSession;
import dev.jcable.session.FakeEventStream;
import dev.jcable.session.OutboxTest;
import dev.jcable.session.SseFrames;
import dev.jcable.sse.SseRequest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A server-sent events connection on a real node (inline lanes and fan-outs): identified and subscribed as a
 * WebSocket one, its frames written as events, and ended as any connection is: remote disconnect, shutdown.
 */
class SseConnectionTest {

    // the goodbye's grace (ws_write_timeout) longer than the shutdown's 2 s flush: nothing but the shutdown ends it
    private final NodeHarness harness = new NodeHarness(Map.of(Option.PUBLIC_STREAMS, "true",
            Option.PING_INTERVAL, "0", Option.WS_WRITE_TIMEOUT, "30"));

    @AfterEach
    void close() {
        harness.close();
    }

    private FakeEventStream open(Map<String, List<String>> query, Map<String, List<String>> headers) {
        return open(harness, query, headers);
    }

    private static FakeEventStream open(NodeHarness harness, Map<String, List<String>> query,
                                        Map<String, List<String>> headers) {
        FakeEventStream stream = new FakeEventStream(true);
        CableSession session = harness.node.sseSession(stream.transport, query);
        stream.onComplete = () -> harness.node.closed(session); // what SseRoom's AsyncListener does
        harness.node.openSse(session, new HandshakeHeaders.Taken(headers, ContainerLogin.NONE, "127.0.0.1"),
                "http://localhost/events", SseRequest.subscribe(query, null));
        return stream;
    }

    @Test
    void aStreamsEventsThenARemoteDisconnectWithoutReconnectAndTheSessionIsGone() {
        FakeEventStream client = open(Map.of("stream", List.of("room")), Map.of());
        assertEquals(200, client.response.get("status"));
        assertEquals(1, harness.node.parts().connections.count());
        String sid = client.text().split("\"sid\":\"")[1].split("\"")[0];
        harness.node.publish(new Publication("room", "{\"n\":1}", null));
        String epoch = harness.node.parts().broker.epoch();
        harness.node.broadcast(new RemoteCommand("{\"sid\":\"" + sid + "\"}", false));
        assertEquals("event: welcome\ndata: {\"type\":\"welcome\",\"sid\":\"" + sid + "\"}\n\n"
                + "event: confirm_subscription\ndata: {\"type\":\"confirm_subscription\",\"identifier\":"
                + "\"{\\\"channel\\\":\\\"$pubsub\\\",\\\"stream_name\\\":\\\"room\\\"}\"}\n\n"
                + "id: 1/room/" + epoch + "\ndata: {\"n\":1}\n\n"
                + "event: disconnect\ndata: {\"type\":\"disconnect\",\"reason\":\"remote\",\"reconnect\":false}\n"
                + "retry: " + SseFrames.NO_RETRY + "\n\n", client.text());
        assertEquals(1, client.completed.get());
        assertEquals(0, harness.node.parts().connections.count(), "cleaned up once the response completed");
        assertEquals(0, harness.hub().subscribers("room"));
    }

    /** Issue 20: an event stream gets a stream's presence events as WebSocket clients do, numbered ({@code seq}). */
    @Test
    void presenceEventsReachAnEventStreamWithTheirSequenceNumbers() {
        FakeEventStream client = open(Map.of("stream", List.of("room")), Map.of());
        String quoted = JsonText.quote("{\"channel\":\"$pubsub\",\"stream_name\":\"room\"}");
        OutboxTest.FakeSocket member = harness.open(ChannelsTest.EXT);
        harness.node.receive(member.session, "{\"command\":\"subscribe\",\"identifier\":" + quoted
                + ",\"presence\":{\"id\":\"42\"}}", true);
        harness.node.receive(member.session, "{\"command\":\"leave\",\"identifier\":" + quoted + "}", true);
        String presence = "event: presence\ndata: {\"type\":\"presence\",\"identifier\":" + quoted + ",\"message\":";
        assertTrue(client.text().endsWith(presence + "{\"type\":\"join\",\"id\":\"42\",\"seq\":1}}\n\n"
                + presence + "{\"type\":\"leave\",\"id\":\"42\",\"seq\":2}}\n\n"), client.text());
    }

    @Test
    void shutdownTellsEveryEventStreamServerRestart() {
        FakeEventStream client = open(Map.of("stream", List.of("room")), Map.of());
        harness.node.shutdown();
        assertTrue(client.text().endsWith("event: disconnect\ndata: {\"type\":\"disconnect\",\"reason\":"
                + "\"server_restart\",\"reconnect\":true}\n\n"), client.text());
        assertEquals(1, client.completed.get());
    }

    /** Open Liberty's stop waited 30 s for such a stream (the grace timer that would end it stops with the node). */
    @Test
    void shutdownCompletesAStreamWhoseClientReadsNothing() {
        FakeEventStream client = open(Map.of("stream", List.of("room")), Map.of());
        harness.node.publish(new Publication("room", "1", null));
        client.ready = false;
        harness.node.publish(new Publication("room", "2", null)); // in flight for good: the client reads nothing
        harness.node.shutdown();
        assertEquals(1, client.completed.get(), "completed by the shutdown, its goodbye never written");
        assertTrue(!client.text().contains("server_restart"), client.text());
    }

    @Test
    void aRefusedTokenOrAnUnsignedStreamIsA401AndLeavesNoSession() {
        FakeEventStream badToken = open(Map.of("stream", List.of("room"), "jid", List.of("not-a-jwt")), Map.of());
        assertEquals(401, badToken.response.get("status"));
        FakeEventStream forged = open(Map.of("signed_stream", List.of("forged--00")), Map.of());
        assertEquals(401, forged.response.get("status"));
        assertEquals(1, forged.completed.get());
        assertEquals(0, harness.node.parts().connections.count());
    }

    @Test
    void aReaderThatStopsReadingIsCutOffAtWsMaxPendingSize() {
        FakeEventStream client = open(Map.of("stream", List.of("room")), Map.of());
        client.ready = false; // the client's socket is full: the write in flight never completes
        String big = "\"" + "x".repeat(4000) + "\"";
        for (int i = 0; i < 400 && client.completed.get() == 0; i++) {
            harness.node.publish(new Publication("room", big, null));
        }
        CableSession session = harness.node.parts().connections.sessions().stream().findFirst().orElseThrow();
        assertTrue(session.disconnecting(), "too_slow: queued past ws_max_pending_size ("
                + harness.node.config.wsMaxPendingSize() + ")");
    }

    /**
     * Liveness as a WebSocket's, without asking the client anything (it cannot answer): a stream whose write makes no
     * progress for pong_timeout is cut off (too_slow) and completed after the goodbye's grace; an idle one is not.
     */
    @Test
    void aStreamWhoseWriteStallsForPongTimeoutIsCutOffAndAnIdleOneIsNot() throws Exception {
        try (NodeHarness live = new NodeHarness(Map.of(Option.PUBLIC_STREAMS, "true", Option.PING_INTERVAL, "0",
                Option.PONG_TIMEOUT, "1", Option.WS_WRITE_TIMEOUT, "1"))) {
            FakeEventStream idle = open(live, Map.of("stream", List.of("quiet")), Map.of());
            FakeEventStream stalled = open(live, Map.of("stream", List.of("room")), Map.of());
            stalled.ready = false; // the client's socket is full: the next write never completes
            live.node.publish(new Publication("room", "1", null));
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (stalled.completed.get() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(20); // polling a condition, not a fixed wait
            }
            assertEquals(1, stalled.completed.get(), "cut off and completed after pong_timeout (1 s) and the grace");
            assertEquals(1, live.node.parts().connections.count(), "the idle stream stays: it was checked as often");
            assertEquals(0, idle.completed.get());
            assertTrue(!idle.text().contains("disconnect"), idle.text());
        }
    }
}
