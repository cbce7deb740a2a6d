package dev.jcable.pusher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.config.PusherConfig;
import dev.jcable.protocol.PresenceEvent;
import dev.jcable.protocol.PresenceInfo;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Pusher's signatures (the worked examples of Pusher's documentation), frames, envelopes and the client-event bucket. */
class PusherWireTest {

    static final String KEY = "278d425bdf160c739803";
    static final String SECRET = "7ad3773142a6692b25b8";

    @Test
    void aPrivateChannelSignatureIsPushersWorkedExample() {
        assertEquals(KEY + ":58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4",
                PusherSigning.channelAuth(KEY, SECRET, "1234.1234", "private-foobar", null));
        assertTrue(PusherSigning.matches("abc", "abc"));
        assertFalse(PusherSigning.matches("abc", "abd"));
        assertFalse(PusherSigning.matches("abc", null));
    }

    @Test
    void anApiRequestIsVerifiedAsPusherSignsIt() {
        PusherApi api = new PusherApi();
        api.clock = () -> 1353088179L * 1000;
        PusherConfig config = new PusherConfig("3", KEY, SECRET, "", 0);
        byte[] body = "{\"name\":\"foo\",\"channels\":[\"project-3\"],\"data\":\"{\\\"some\\\":\\\"data\\\"}\"}"
                .getBytes(StandardCharsets.UTF_8);
        Map<String, String> query = new HashMap<>(Map.of("auth_key", KEY, "auth_timestamp", "1353088179",
                "auth_version", "1.0", "body_md5", "ec365a775a4cd0599faeb73354201b6f",
                "auth_signature", "da454824c97ba181a32ccc17a72625ba02771f50b50e1e7430e47a1f3f457e6c"));
        assertNull(api.refusal(config, "POST", "/apps/3/events", query, body));

        assertTrue(api.refusal(config, "GET", "/apps/3/events", query, body).startsWith("Invalid signature"));
        assertEquals("body_md5 does not match the body",
                api.refusal(config, "POST", "/apps/3/events", query, "{}".getBytes(StandardCharsets.UTF_8)));
        api.clock = () -> (1353088179L + 601) * 1000;
        assertTrue(api.refusal(config, "POST", "/apps/3/events", query, body).startsWith("Timestamp expired"));
        api.clock = () -> (1353088179L - 600) * 1000;
        assertNull(api.refusal(config, "POST", "/apps/3/events", query, body), "600 s is still within");
        query.remove("auth_signature");
        assertTrue(api.refusal(config, "POST", "/apps/3/events", query, body).startsWith("missing"));
    }

    @Test
    void framesAreProtocolSeven() {
        assertEquals("{\"event\":\"pusher:connection_established\",\"data\":"
                + "\"{\\\"socket_id\\\":\\\"1.2\\\",\\\"activity_timeout\\\":120}\"}", PusherFrames.established("1.2", 120));
        assertEquals("{\"event\":\"pusher_internal:subscription_succeeded\",\"channel\":\"presence-r\",\"data\":"
                        + "\"{\\\"presence\\\":{\\\"ids\\\":[\\\"1\\\",\\\"2\\\"],\\\"hash\\\":{\\\"1\\\":{\\\"n\\\":1},"
                        + "\\\"2\\\":null},\\\"count\\\":2}}\"}",
                PusherFrames.succeeded("presence-r", new PresenceInfo(2, List.of(new PresenceInfo.Record("1", "{\"n\":1}"),
                        new PresenceInfo.Record("2", null)), 3)), "no sequence number: Pusher's frame exactly");
        assertEquals("{\"event\":\"pusher:error\",\"data\":{\"code\":4001,\"message\":\"no\"}}",
                PusherFrames.error(4001, "no"));
    }

    @Test
    void aPublicationBecomesAPusherEvent() {
        PusherConnection connection = new PusherConnection(() -> 0);
        assertEquals("{\"event\":\"greet\",\"channel\":\"c\",\"data\":\"{\\\"a\\\":1}\"}",
                connection.message("c", "\"c\"", new PusherEnvelope("greet", "{\"a\":1}", null).encode(), null));
        assertEquals("{\"event\":\"client-x\",\"channel\":\"c\",\"data\":\"hi\",\"user_id\":\"7\"}",
                connection.message("c", "\"c\"", new PusherEnvelope("client-x", "hi", "7").encode(), null));
        assertEquals("{\"event\":\"message\",\"channel\":\"c\",\"data\":\"{\\\"text\\\":\\\"hi\\\"}\"}",
                connection.message("c", "\"c\"", "{\"text\":\"hi\"}", null), "any other data: event message");
        assertEquals("{\"event\":\"message\",\"channel\":\"c\",\"data\":\"plain\"}",
                connection.message("c", "\"c\"", "\"plain\"", null));
        assertEquals("{\"event\":\"message\",\"channel\":\"c\",\"data\":\"{\\\"event\\\":\\\"e\\\",\\\"data\\\":1,"
                        + "\\\"more\\\":2}\"}",
                connection.message("c", "\"c\"", "{\"event\":\"e\",\"data\":1,\"more\":2}", null),
                "an object with more than event and data is not an envelope");
    }

    @Test
    void membersHearOfOthersOnlyAndOnPresenceChannelsOnly() {
        PusherConnection connection = new PusherConnection(() -> 0);
        connection.joined("presence-r", "7");
        connection.listed("presence-r", members("7"));
        assertFalse(connection.receives("presence-r", PresenceEvent.join("7", null)));
        assertTrue(connection.receives("presence-r", PresenceEvent.join("8", null)));
        assertEquals("{\"event\":\"pusher_internal:member_removed\",\"channel\":\"presence-r\",\"data\":"
                + "\"{\\\"user_id\\\":\\\"8\\\"}\"}", connection.presence("presence-r", "", PresenceEvent.leave("8", 4), ""));
        assertNull(connection.presence("private-r", "", PresenceEvent.leave("8"), ""));
    }

    /**
     * With Redis the list is read from Redis, ahead of member events still on their way to the node (ClusterIT's
     * Pusher channel: a member listed and then added, 19 of 60 concurrent joins before): each change is told once.
     */
    @Test
    void aMemberHearsOfEachChangeToItsListOnceAndOfNothingBeforeIt() {
        PusherConnection connection = new PusherConnection(() -> 0);
        connection.joined("presence-r", "7");
        assertFalse(connection.receives("presence-r", PresenceEvent.join("8", null)), "before the list, which shows 8");
        connection.listed("presence-r", members("7", "8", "9"));
        assertFalse(connection.receives("presence-r", PresenceEvent.join("9", null)), "listed already");
        assertTrue(connection.receives("presence-r", PresenceEvent.leave("9")));
        assertFalse(connection.receives("presence-r", PresenceEvent.leave("9")), "removed already");
        assertFalse(connection.receives("presence-r", PresenceEvent.leave("10")), "never listed nor added");
        assertTrue(connection.receives("presence-r", PresenceEvent.join("10", null)));
        assertFalse(connection.receives("presence-r", PresenceEvent.join("10", null)), "added already");
        assertTrue(connection.receives("presence-r", PresenceEvent.leave("8")));
        connection.left("presence-r");
        connection.joined("presence-r", "7");
        assertFalse(connection.receives("presence-r", PresenceEvent.join("11", null)), "a new subscription: its list");
        connection.listed("presence-r", members("7", "11"));
        assertTrue(connection.receives("presence-r", PresenceEvent.leave("11")));
    }

    private static PresenceInfo members(String... ids) {
        return new PresenceInfo(ids.length, java.util.Arrays.stream(ids).map(id -> new PresenceInfo.Record(id, null))
                .toList(), 0);
    }

    @Test
    void clientEventsAreTenASecond() {
        AtomicLong now = new AtomicLong(1_000_000);
        PusherConnection connection = new PusherConnection(now::get);
        for (int i = 0; i < 10; i++) {
            assertTrue(connection.allowClientEvent(), "event " + i);
        }
        assertFalse(connection.allowClientEvent(), "the eleventh within the second");
        now.addAndGet(100);
        assertTrue(connection.allowClientEvent(), "one more after a tenth of a second");
        assertFalse(connection.allowClientEvent());
    }
}
