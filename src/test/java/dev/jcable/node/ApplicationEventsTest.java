package dev.jcable.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jcable.api.ConnectionClosed;
import dev.jcable.api.ConnectionOpened;
import dev.jcable.api.PresenceJoined;
import dev.jcable.api.PresenceLeft;
import dev.jcable.config.Option;
import dev.jcable.protocol.JsonText;
import dev.jcable.session.OutboxTest;
import jakarta.json.Json;
import jakarta.json.JsonValue;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Presence and connection events to the application: first join and last leave only, connections opened/closed. */
class ApplicationEventsTest {

    private static final String ROOM = "{\"channel\":\"$pubsub\",\"stream_name\":\"room\"}";
    private static final String Q = JsonText.quote(ROOM);

    private final List<Object> seen = new CopyOnWriteArrayList<>();
    private final NodeHarness harness = new NodeHarness(Map.of(Option.PING_INTERVAL, "0", Option.PUBLIC_STREAMS,
            "true", Option.PRESENCE_TTL, "0"), null, null, event -> {
                seen.add(event);
                throw new IllegalStateException("an observer that throws harms nothing");
            });

    @AfterEach
    void close() {
        harness.close();
    }

    private OutboxTest.FakeSocket member(String id) {
        OutboxTest.FakeSocket socket = harness.open("actioncable-v1-ext-json");
        harness.node.receive(socket.session, "{\"command\":\"subscribe\",\"identifier\":" + Q
                + ",\"presence\":{\"id\":\"" + id + "\",\"info\":{\"n\":1}}}", true);
        return socket;
    }

    @Test
    void onlyTheFirstJoinAndTheLastLeaveAreEvents() {
        OutboxTest.FakeSocket tab1 = member("42");
        OutboxTest.FakeSocket tab2 = member("42");
        String sid1 = harness.session(tab1).sid();
        String sid2 = harness.session(tab2).sid();
        harness.node.receive(tab1.session, "{\"command\":\"leave\",\"identifier\":" + Q + "}", true);
        harness.node.close(tab2.session);
        assertEquals(List.of(
                new ConnectionOpened(sid1, Json.createObjectBuilder().add("sid", sid1).build()),
                new PresenceJoined("room", "42", Json.createObjectBuilder().add("n", 1).build(), 1),
                new ConnectionOpened(sid2, Json.createObjectBuilder().add("sid", sid2).build()),
                new PresenceLeft("room", "42", 2),
                new ConnectionClosed(sid2, Json.createObjectBuilder().add("sid", sid2).build())), seen);
        // and the wire carried on, observer exceptions notwithstanding
        assertEquals("{\"type\":\"presence\",\"identifier\":" + Q
                + ",\"message\":{\"type\":\"leave\",\"id\":\"42\",\"seq\":2}}", tab1.frames.get(tab1.frames.size() - 1));
    }

    @Test
    void aJoinWithoutInfoCarriesJsonNull() {
        OutboxTest.FakeSocket socket = harness.open("actioncable-v1-ext-json");
        harness.node.receive(socket.session, "{\"command\":\"subscribe\",\"identifier\":" + Q + "}", true);
        harness.node.receive(socket.session, "{\"command\":\"join\",\"identifier\":" + Q
                + ",\"presence\":{\"id\":7}}", true);
        assertEquals(new PresenceJoined("room", "7", JsonValue.NULL, 1), seen.get(1));
    }
}
