package dev.jcable.pusher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.bench.Conn;
import dev.jcable.bench.Dialect;
import dev.jcable.bench.Payload;
import dev.jcable.protocol.PresenceEvent;
import dev.jcable.protocol.PresenceInfo;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import org.junit.jupiter.api.Test;

/**
 * The benchmark's Pusher dialect (bench/run.sh pusher) against the frames this server really writes, so the
 * benchmark cannot rot into measuring nothing: it finds the stamp in a /_broadcast delivery, reads the socket_id,
 * signs presence subscriptions as the server checks them and reads member events. Milliseconds, no server.
 */
class BenchDialectTest {

    static final Dialect PUSHER = Dialect.pusher("k", "s3cret");

    @Test
    void aBroadcastDeliveryCarriesTheStampAndSequence() {
        String payload = Payload.make(1_234_567L, 42, 200);
        String frame = new PusherConnection(() -> 0).message("bench-fanout", "\"bench-fanout\"", payload, null);
        assertEquals(1_234_567L, Payload.field(frame, PUSHER.field("t")));
        assertEquals(42L, Payload.field(frame, PUSHER.field("s")));
        assertEquals(-1L, Payload.field(frame, "\"t\":"), "the payload is a JSON string inside the frame");
    }

    @Test
    void aPresenceSubscriptionIsSignedAsTheServerChecksIt() {
        Conn conn = Conn.unopened();
        assertFalse(PUSHER.arrived(conn, PusherFrames.succeeded("x")));
        assertTrue(PUSHER.arrived(conn, PusherFrames.established("123.456", 120)));
        assertEquals("123.456", conn.tag);
        JsonObject data = Json.createReader(new StringReader(PUSHER.join(conn, "c7"))).readObject()
                .getJsonObject("data");
        assertEquals("presence-bench-churn", data.getString("channel"));
        String channelData = data.getString("channel_data");
        assertEquals("c7", Json.createReader(new StringReader(channelData)).readObject().getString("user_id"));
        assertEquals(PusherSigning.channelAuth("k", "s3cret", "123.456", "presence-bench-churn", channelData),
                data.getString("auth"));
        assertTrue(PUSHER.joined(PusherFrames.succeeded("presence-bench-churn", PresenceInfo.EMPTY), "c7"));
    }

    @Test
    void memberEventsAreJoinsAndLeaves() {
        PusherConnection connection = new PusherConnection(() -> 0);
        String channel = "presence-bench-churn";
        assertArrayEquals(new String[] {"join", "c12"}, PUSHER.presence(connection.presence(channel, "",
                PresenceEvent.join("c12", "{\"name\":\"c12\"}"), "")));
        assertArrayEquals(new String[] {"leave", "c12"}, PUSHER.presence(connection.presence(channel, "",
                PresenceEvent.leave("c12"), "")));
        assertNull(PUSHER.presence(PusherFrames.succeeded(channel)));
    }
}
