package dev.jcable.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.api.ConnectionIdentifier;
import dev.jcable.api.ConnectionRequest;
import dev.jcable.config.Option;
import dev.jcable.identity.HandshakeHeaders;
import dev.jcable.session.OutboxTest;
import jakarta.json.Json;
import jakarta.websocket.CloseReason;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The application's {@link ConnectionIdentifier}: accepts with identifiers, refuses, or fails. */
class ConnectionIdentifierTest {

    private final AtomicReference<ConnectionRequest> seen = new AtomicReference<>();
    private final ConnectionIdentifier identifier = request -> {
        seen.set(request);
        String user = request.cookie("user");
        if ("crash".equals(user)) {
            throw new IllegalStateException("database down");
        }
        return user == null || user.isEmpty() ? Optional.empty()
                : Optional.of(Json.createObjectBuilder().add("user", user)
                        .add("via", String.valueOf(request.header("X-Via"))).build());
    };
    private final NodeHarness harness = new NodeHarness(Map.of(Option.PING_INTERVAL, "0"), null, identifier);

    @AfterEach
    void close() {
        harness.close();
    }

    private OutboxTest.FakeSocket open(String cookie) {
        OutboxTest.FakeSocket socket = new OutboxTest.FakeSocket(true, "actioncable-v1-ext-json");
        socket.userProperties.put(HandshakeHeaders.KEY, new HandshakeHeaders(Map.of(
                "cookie", List.of("a=1; user=" + cookie), "x-via", List.of("proxy"))));
        socket.query.put("room", List.of("7"));
        harness.node.open(socket.session);
        return socket;
    }

    @Test
    void itsIdentifiersBecomeTheConnections() {
        OutboxTest.FakeSocket socket = open("\"alice\"");
        assertEquals("{\"type\":\"welcome\",\"sid\":\"" + harness.session(socket).sid() + "\"}", socket.frames.get(0));
        assertEquals("{\"user\":\"alice\",\"via\":\"proxy\"}", harness.session(socket).identifiers());
        assertEquals("7", seen.get().parameter("room"));
        assertEquals(harness.session(socket).sid(), seen.get().sid());
        assertTrue(seen.get().claims().isEmpty(), "no token was presented");
    }

    @Test
    void anEmptyAnswerIsUnauthorized() {
        OutboxTest.FakeSocket socket = open("");
        assertEquals(List.of("{\"type\":\"disconnect\",\"reason\":\"unauthorized\",\"reconnect\":false}"),
                socket.frames);
        assertEquals(0, harness.node.connections());
    }

    @Test
    void anExceptionClosesTheSocketWith1011AndNoFrame() {
        OutboxTest.FakeSocket socket = open("crash");
        assertEquals(List.of(), socket.frames);
        assertEquals(CloseReason.CloseCodes.UNEXPECTED_CONDITION, socket.closes.get(0).getCloseCode());
        assertEquals("Auth Error", socket.closes.get(0).getReasonPhrase());
        assertEquals(0, harness.node.connections());
    }

    @Test
    void presenceIdentityLetsAConnectionJoinOnlyAsItself() {
        try (NodeHarness bound = new NodeHarness(Map.of(Option.PING_INTERVAL, "0", Option.PUBLIC_STREAMS, "true",
                Option.PRESENCE_IDENTITY, "user"), null, identifier)) {
            OutboxTest.FakeSocket socket = new OutboxTest.FakeSocket(true, "actioncable-v1-ext-json");
            socket.userProperties.put(HandshakeHeaders.KEY, new HandshakeHeaders(Map.of("cookie", List.of("user=alice"))));
            bound.node.open(socket.session);
            String id = "{\"channel\":\"$pubsub\",\"stream_name\":\"s\"}";
            String quoted = dev.jcable.protocol.JsonText.quote(id);
            bound.node.receive(socket.session, "{\"command\":\"subscribe\",\"identifier\":" + quoted + "}", true);
            bound.node.receive(socket.session, "{\"command\":\"join\",\"identifier\":" + quoted
                    + ",\"presence\":{\"id\":\"bob\"}}", true);
            assertEquals("{\"type\":\"presence\",\"identifier\":" + quoted
                    + ",\"message\":{\"type\":\"error\",\"reason\":\"forbidden_id\"}}", last(socket));
            bound.node.receive(socket.session, "{\"command\":\"join\",\"identifier\":" + quoted
                    + ",\"presence\":{\"id\":\"alice\"}}", true);
            assertEquals("{\"type\":\"presence\",\"identifier\":" + quoted
                    + ",\"message\":{\"type\":\"join\",\"id\":\"alice\",\"seq\":1}}", last(socket));
        }
    }

    private static String last(OutboxTest.FakeSocket socket) {
        return socket.frames.get(socket.frames.size() - 1);
    }
}
