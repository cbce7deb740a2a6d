package dev.jcable.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.config.Option;
import dev.jcable.rpc.RpcMessages.CommandReply;
import dev.jcable.rpc.RpcMessages.ConnectReply;
import dev.jcable.rpc.RpcMessages.Presence;
import dev.jcable.rpc.RpcMessages.Status;
import dev.jcable.rpc.RpcTest.FakeTransport;
import dev.jcable.session.OutboxTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * RPC channels on a real node with the calls held by the test: a connection's commands wait for the answer before
 * them, presence from an answer lands in the presence store, and a close racing an unanswered subscribe leaves no
 * subscriber behind.
 */
class RpcChannelsTest {

    private static final String ROOM = "{\"channel\":\"ChatChannel\",\"room\":\"1\"}";
    private static final String QUOTED = "\"{\\\"channel\\\":\\\"ChatChannel\\\",\\\"room\\\":\\\"1\\\"}\"";

    private final FakeTransport transport = new FakeTransport();
    private final NodeHarness harness = new NodeHarness(Map.of(Option.RPC_HOST, "http://app/_anycable",
            Option.PUBLIC_STREAMS, "true"), transport);

    @AfterEach
    void close() {
        harness.close();
    }

    private static CommandReply reply(List<String> streams, List<String> transmissions, Presence presence) {
        return new CommandReply(Status.SUCCESS, false, false, streams, List.of(), transmissions, "",
                Map.of(), Map.of("count", "1"), presence);
    }

    private OutboxTest.FakeSocket connected() {
        OutboxTest.FakeSocket socket = harness.open("actioncable-v1-ext-json", Map.of("user", "ann"));
        assertEquals(List.of("connect"), transport.started());
        assertTrue(socket.frames.isEmpty(), socket.frames.toString()); // no welcome before the application answers
        transport.answer(0, new ConnectReply(Status.SUCCESS, "{\"user\":\"ann\"}",
                List.of("{\"type\":\"welcome\",\"sid\":\"x\"}"), "", Map.of()));
        String sid = harness.session(socket).sid();
        assertEquals("{\"type\":\"welcome\",\"sid\":\"" + sid + "\"}", socket.frames.get(0)); // jcable's, once
        return socket;
    }

    private void send(OutboxTest.FakeSocket socket, String frame) {
        harness.node.receive(socket.session, frame, true);
    }

    @Test
    void commandsWaitForTheAnswerBeforeThemAndPresenceJoinsTheStream() {
        OutboxTest.FakeSocket socket = connected();
        send(socket, "{\"command\":\"subscribe\",\"identifier\":" + QUOTED + "}");
        send(socket, "{\"command\":\"message\",\"identifier\":" + QUOTED + ",\"data\":\"{\\\"action\\\":\\\"go\\\"}\"}");
        assertEquals(List.of("connect", ROOM), transport.started()); // the message waits for the subscribe's answer
        transport.answer(1, reply(List.of("chat:1", "chat:2"),
                List.of("{\"identifier\":" + QUOTED + ",\"type\":\"confirm_subscription\"}"),
                new Presence("join", "ann", "{\"name\":\"Ann\"}")));
        assertEquals(List.of("connect", ROOM, ROOM), transport.started()); // now it is sent
        assertEquals("{\"identifier\":" + QUOTED + ",\"type\":\"confirm_subscription\"}", socket.frames.get(1));
        assertEquals(1, harness.hub().subscribers("chat:1"));
        assertEquals(1, harness.hub().subscribers("chat:2"));
        assertEquals(1, harness.broker().presenceInfo("chat:1").total());
        transport.answer(2, reply(List.of(), List.of(), new Presence("leave", "", null)));
        assertEquals(0, harness.broker().presenceInfo("chat:1").total());
    }

    @Test
    void aCloseRacingAnUnansweredSubscribeLeavesNoSubscriber() {
        OutboxTest.FakeSocket socket = connected();
        send(socket, "{\"command\":\"subscribe\",\"identifier\":" + QUOTED + "}");
        harness.node.close(socket.session); // the socket closes while the application thinks
        transport.answer(1, reply(List.of("chat:1", "chat:2"), List.of(), new Presence("join", "ann", null)));
        assertEquals(0, harness.hub().subscribers("chat:1"));
        assertEquals(0, harness.hub().subscribers("chat:2"));
        assertEquals(0, harness.hub().streamCount());
        assertEquals(0, harness.node.connections());
    }

    /**
     * A session the application identified is restored for a connection it identifies alike, but its RPC channels'
     * subscriptions are left out: their state ({@code istate}) and streams are the application's, built by its
     * {@code subscribed}, so the client subscribes again (the official client does so for every identifier not in
     * {@code restored_ids}) and the application builds them afresh; a stream subscription comes back as ever.
     */
    @Test
    void aRestoreLeavesTheApplicationsChannelsToSubscribeAgain() {
        OutboxTest.FakeSocket socket = connected();
        String sid = harness.session(socket).sid();
        String stream = "{\"command\":\"subscribe\",\"identifier\":" + CloseRaceTest.identifier("news") + "}";
        send(socket, stream);
        send(socket, "{\"command\":\"subscribe\",\"identifier\":" + QUOTED + "}");
        transport.answer(1, reply(List.of("chat:1"),
                List.of("{\"identifier\":" + QUOTED + ",\"type\":\"confirm_subscription\"}"), null));
        assertEquals(1, harness.hub().subscribers("chat:1"));
        harness.node.close(socket.session);
        assertEquals(0, harness.hub().subscribers("chat:1"));

        OutboxTest.FakeSocket again = harness.open("actioncable-v1-ext-json", Map.of("user", "ann", "sid", sid));
        transport.answer(transport.started().lastIndexOf("connect"), new ConnectReply(Status.SUCCESS,
                "{\"user\":\"ann\"}", List.of(), "", Map.of()));
        String newSid = harness.session(again).sid();
        assertEquals("{\"type\":\"welcome\",\"sid\":\"" + newSid + "\",\"restored\":true,\"restored_ids\":["
                + CloseRaceTest.identifier("news") + "]}", again.frames.get(0));
        assertEquals(1, harness.hub().subscribers("news"));
        assertEquals(0, harness.hub().subscribers("chat:1")); // not until the application says so again
        int calls = transport.started().size();
        send(again, "{\"command\":\"subscribe\",\"identifier\":" + QUOTED + "}");
        assertEquals(ROOM, transport.started().get(calls)); // the application's subscribed runs again
        transport.answer(calls, reply(List.of("chat:1"),
                List.of("{\"identifier\":" + QUOTED + ",\"type\":\"confirm_subscription\"}"), null));
        assertEquals(1, harness.hub().subscribers("chat:1"));
    }

    @Test
    void aSessionIsNotRestoredForAConnectionTheApplicationIdentifiesAsSomeoneElse() {
        OutboxTest.FakeSocket socket = connected();
        String sid = harness.session(socket).sid();
        send(socket, "{\"command\":\"subscribe\",\"identifier\":" + CloseRaceTest.identifier("ann-only") + "}");
        harness.node.close(socket.session);
        OutboxTest.FakeSocket bob = harness.open("actioncable-v1-ext-json", Map.of("user", "bob", "sid", sid));
        transport.answer(transport.started().lastIndexOf("connect"), new ConnectReply(Status.SUCCESS,
                "{\"user\":\"bob\"}", List.of(), "", Map.of()));
        assertEquals("{\"type\":\"welcome\",\"sid\":\"" + harness.session(bob).sid() + "\"}", bob.frames.get(0));
        assertEquals(0, harness.hub().subscribers("ann-only"));
    }

    @Test
    void aRefusedConnectionIsToldUnauthorized() {
        OutboxTest.FakeSocket socket = harness.open("actioncable-v1-ext-json", Map.of());
        transport.answer(0, new ConnectReply(Status.FAILURE, "",
                List.of("{\"type\":\"disconnect\",\"reason\":\"unauthorized\"}"), "Auth failed", Map.of()));
        assertEquals(List.of("{\"type\":\"disconnect\",\"reason\":\"unauthorized\",\"reconnect\":false}"),
                socket.frames);
    }
}
