package dev.jcable.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.broker.Publication;
import dev.jcable.config.Option;
import dev.jcable.protocol.JsonText;
import dev.jcable.session.OutboxTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The node's own bounds, end to end through a real node: identifiers and broadcasts. */
class NodeBoundsTest {

    private final NodeHarness harness = new NodeHarness(Map.of(Option.PUBLIC_STREAMS, "true",
            Option.MAX_IDENTIFIER_SIZE, "64", Option.MAX_BROADCAST_SIZE, "100", Option.PING_INTERVAL, "0"));

    @AfterEach
    void close() {
        harness.close();
    }

    @Test
    void anIdentifierLongerThanTheLimitIsRejected() {
        OutboxTest.FakeSocket socket = harness.open("actioncable-v1-ext-json");
        String fits = "{\"channel\":\"$pubsub\",\"stream_name\":\"" + "a".repeat(64 - 38) + "\"}";
        String longer = "{\"channel\":\"$pubsub\",\"stream_name\":\"" + "a".repeat(64 - 37) + "\"}";
        assertEquals(64, fits.length());
        harness.node.receive(socket.session, "{\"command\":\"subscribe\",\"identifier\":" + JsonText.quote(fits) + "}", true);
        harness.node.receive(socket.session, "{\"command\":\"subscribe\",\"identifier\":" + JsonText.quote(longer) + "}",
                true);
        assertEquals(List.of("{\"type\":\"confirm_subscription\",\"identifier\":" + JsonText.quote(fits) + "}",
                "{\"type\":\"reject_subscription\",\"identifier\":" + JsonText.quote(longer) + "}"),
                socket.frames.subList(1, 3));
        assertEquals(1, harness.session(socket).subscriptions().size());
    }

    @Test
    void aBroadcastOverTheLimitThrowsAndLeavesNoTrace() {
        harness.node.publish(new Publication("s", "x".repeat(100)));
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> harness.node.publish(new Publication("t", "x".repeat(101))));
        assertEquals("data of 101 characters is larger than max_broadcast_size (100)", refused.getMessage());
        assertEquals(1, harness.broker().historyStreams(), "only the first was stored");
        assertTrue(harness.broker().historyFrom("t", harness.broker().epoch(), 0, Long.MAX_VALUE).isEmpty());
    }
}
