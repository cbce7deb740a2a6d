package dev.jcable.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jcable.broker.Broadcast;
import dev.jcable.broker.PublicationParser;
import dev.jcable.broker.RemoteCommand;
import dev.jcable.config.Option;
import dev.jcable.session.OutboxTest;
import jakarta.json.Json;
import jakarta.websocket.CloseReason;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** AnyCable's remote {@code disconnect}: the connections with those identifiers, found by index, and nobody else. */
class RemoteDisconnectTest {

    private final NodeHarness harness = new NodeHarness(Map.of(Option.PING_INTERVAL, "0"), null,
            request -> Optional.ofNullable(request.parameter("uid"))
                    .map(uid -> Json.createObjectBuilder().add("user_id", uid).build()));

    @AfterEach
    void close() {
        harness.close();
    }

    private OutboxTest.FakeSocket user(String uid) {
        return harness.open("actioncable-v1-ext-json", Map.of("uid", uid));
    }

    private ConnectionIndex index() {
        try {
            java.lang.reflect.Field field = Connections.class.getDeclaredField("byIdentifiers");
            field.setAccessible(true);
            return (ConnectionIndex) field.get(harness.node.parts().connections);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void closesEveryConnectionWithThoseIdentifiersAndNobodyElse() {
        OutboxTest.FakeSocket tab1 = user("42");
        OutboxTest.FakeSocket tab2 = user("42");
        OutboxTest.FakeSocket other = user("7");
        harness.node.broadcast(new RemoteCommand("{ \"user_id\" : \"42\" }", false)); // compared as JSON
        for (OutboxTest.FakeSocket gone : List.of(tab1, tab2)) {
            assertEquals("{\"type\":\"disconnect\",\"reason\":\"remote\",\"reconnect\":false}",
                    gone.frames.get(gone.frames.size() - 1));
            assertEquals(List.of(CloseReason.CloseCodes.NORMAL_CLOSURE),
                    gone.closes.stream().map(CloseReason::getCloseCode).toList());
        }
        assertEquals(1, other.frames.size(), "only its welcome");
        assertEquals(List.of(), other.closes);
    }

    @Test
    void theIndexHoldsOpenConnectionsOnly() {
        OutboxTest.FakeSocket a = user("1");
        OutboxTest.FakeSocket b = user("1");
        user("2");
        assertEquals(2, index().size());
        harness.node.close(a.session);
        assertEquals(1, index().find("{\"user_id\":\"1\"}").size());
        harness.node.close(b.session);
        assertEquals(List.of(), index().find("{\"user_id\":\"1\"}"));
        assertEquals(1, index().size(), "nothing left behind for user 1");
        harness.node.broadcast(new RemoteCommand("{\"user_id\":\"1\"}", true)); // no one left: nothing happens
    }

    /** One connection is held as itself, several as a set (issue 26): three tabs, the middle one closes. */
    @Test
    void threeTabsOneClosesTheOtherTwoAreFoundAndClosed() {
        OutboxTest.FakeSocket a = user("5");
        OutboxTest.FakeSocket b = user("5");
        OutboxTest.FakeSocket c = user("5");
        assertEquals(3, index().find("{\"user_id\":\"5\"}").size());
        harness.node.close(b.session);
        assertEquals(2, index().find("{\"user_id\":\"5\"}").size());
        harness.node.broadcast(new RemoteCommand("{\"user_id\":\"5\"}", false));
        for (OutboxTest.FakeSocket gone : List.of(a, c)) {
            assertEquals(List.of(CloseReason.CloseCodes.NORMAL_CLOSURE),
                    gone.closes.stream().map(CloseReason::getCloseCode).toList());
        }
        harness.node.close(a.session);
        harness.node.close(c.session);
        assertEquals(0, index().size(), "nothing left behind");
    }

    @Test
    void theParserTellsACommandFromAPublication() throws PublicationParser.InvalidBody {
        List<Broadcast> parsed = PublicationParser.parse("[{\"stream\":\"s\",\"data\":\"x\"},"
                + "{\"command\":\"disconnect\",\"payload\":{\"identifier\":\"{\\\"u\\\":1}\",\"reconnect\":true}},"
                + "{\"command\":\"disconnect\",\"payload\":{\"identifier\":\"{\\\"u\\\":2}\"}}]");
        assertEquals(new dev.jcable.broker.Publication("s", "x"), parsed.get(0));
        assertEquals(new RemoteCommand("{\"u\":1}", true), parsed.get(1));
        assertEquals(new RemoteCommand("{\"u\":2}", false), parsed.get(2));
    }
}
