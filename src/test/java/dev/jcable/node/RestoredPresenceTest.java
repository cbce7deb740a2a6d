package dev.jcable.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jcable.config.Option;
import dev.jcable.protocol.JsonText;
import dev.jcable.session.OutboxTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 20, 0: a restored client's member list. The official client keeps a subscription's member set across a
 * restore; presence events are not in history. So a presence subscription whose stream had a transition since the
 * client was last heard from is not restored (left out of {@code restored_ids}, not attached): the client starts it
 * again and fetches the members anew. One whose stream stayed quiet is restored as before.
 */
class RestoredPresenceTest {

    private static final String EXT = "actioncable-v1-ext-json";
    private static final String ROOM = "{\"channel\":\"$pubsub\",\"stream_name\":\"room\"}";
    private static final String OTHER = "{\"channel\":\"$pubsub\",\"stream_name\":\"other\"}";

    private final NodeHarness harness = new NodeHarness(Map.of(Option.PING_INTERVAL, "0", Option.PUBLIC_STREAMS,
            "true", Option.PRESENCE_TTL, "0"));

    @AfterEach
    void close() {
        harness.close();
    }

    private void send(OutboxTest.FakeSocket socket, String identifier, String command, String more) {
        harness.node.receive(socket.session, "{\"command\":\"" + command + "\",\"identifier\":"
                + JsonText.quote(identifier) + more + "}", true);
    }

    private OutboxTest.FakeSocket member(String id) {
        OutboxTest.FakeSocket socket = harness.open(EXT);
        send(socket, ROOM, "subscribe", ",\"presence\":{\"id\":\"" + id + "\"}");
        return socket;
    }

    private OutboxTest.FakeSocket back(String sid) {
        return harness.open(EXT, Map.of("sid", sid));
    }

    @Test
    void aPresenceSubscriptionWhoseStreamChangedWhileTheClientWasAwayStartsAgain() {
        OutboxTest.FakeSocket goes = member("goes");
        member("stays");
        OutboxTest.FakeSocket watcher = harness.open(EXT);
        send(watcher, ROOM, "subscribe", "");
        send(watcher, OTHER, "subscribe", "");
        String sid = harness.session(watcher).sid();
        // the watcher was last heard from 10 s ago: its network dropped then, the server noticed only now
        harness.session(watcher).received(System.currentTimeMillis() - 10_000);
        harness.node.close(watcher.session);
        harness.node.close(goes.session); // leaves (presence_ttl 0)
        member("comes");

        OutboxTest.FakeSocket restored = back(sid);
        assertEquals(List.of("{\"type\":\"welcome\",\"sid\":\"" + harness.session(restored).sid()
                        + "\",\"restored\":true,\"restored_ids\":[" + JsonText.quote(OTHER) + "]}"), restored.frames,
                "room is left out: the client starts it again; other (no presence) is restored");
        send(restored, ROOM, "subscribe", "");
        send(restored, ROOM, "presence", "");
        assertEquals("{\"type\":\"presence\",\"identifier\":" + JsonText.quote(ROOM)
                + ",\"message\":{\"type\":\"info\",\"total\":2,\"seq\":4,\"records\":[{\"id\":\"stays\"},{\"id\":\"comes\"}]}}",
                restored.frames.get(restored.frames.size() - 1), "the member set fetched anew is the true one, as of transition 4 (goes, stays, goes left, comes)");
    }

    @Test
    void aPresenceSubscriptionWhoseStreamStayedQuietIsRestored() {
        member("stays");
        OutboxTest.FakeSocket watcher = harness.open(EXT);
        send(watcher, ROOM, "subscribe", "");
        String sid = harness.session(watcher).sid();
        // heard from after the last transition by more than the margin (it answered a ping since)
        harness.session(watcher).received(System.currentTimeMillis() + BrokerOutput.PRESENCE_MARGIN_MILLIS + 1000);
        harness.node.close(watcher.session);

        OutboxTest.FakeSocket restored = back(sid);
        assertEquals(List.of("{\"type\":\"welcome\",\"sid\":\"" + harness.session(restored).sid()
                + "\",\"restored\":true,\"restored_ids\":[" + JsonText.quote(ROOM) + "]}"), restored.frames);
    }
}
