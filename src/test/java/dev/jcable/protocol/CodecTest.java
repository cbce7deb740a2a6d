package dev.jcable.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.protocol.PresenceEvent;
import dev.jcable.protocol.PresenceInfo;
import jakarta.json.Json;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Client frame decoding and the exact text of every server frame (protocol doc, sections 1, 2 and 6.3). */
class CodecTest {

    /** {"channel":"$pubsub","stream_name":"room/42"} */
    private static final String ID = "{\"channel\":\"$pubsub\",\"stream_name\":\"room/42\"}";
    /** The same, as it appears on the wire inside a frame. */
    private static final String ID_ON_WIRE = "\"{\\\"channel\\\":\\\"$pubsub\\\",\\\"stream_name\\\":\\\"room/42\\\"}\"";

    private static Command decode(String frame) throws ProtocolException {
        return Codec.decode(frame);
    }

    private static String frame(String command, String rest) {
        return "{\"command\":\"" + command + "\",\"identifier\":" + ID_ON_WIRE + rest + "}";
    }

    // ---- decoding ---------------------------------------------------------------------------------

    @Test
    void decodesSubscribeWithHistoryAndPresence() throws Exception {
        Command c = decode(frame("subscribe", ",\"history\":{\"since\":1681828329,\"streams\":{}},"
                + "\"presence\":{\"id\":\"42\",\"info\":{\"name\":\"Vova\"}}"));
        assertEquals("subscribe", c.command());
        assertEquals(ID, c.identifier());
        assertEquals(1681828329L, c.history().getJsonNumber("since").longValueExact());
        assertEquals(0, c.history().getJsonObject("streams").size());
        assertEquals("42", c.presence().getString("id"));
        assertEquals("{\"name\":\"Vova\"}", c.presence().get("info").toString());
        assertNull(c.data());
    }

    @Test
    void decodesJoin() throws Exception {
        Command c = decode(frame("join", ",\"presence\":{\"id\":\"42\",\"info\":\"Vova\"}"));
        assertEquals("join", c.command());
        assertEquals(ID, c.identifier());
        assertEquals("\"Vova\"", c.presence().get("info").toString());
        assertNull(c.history());
        assertNull(c.data());
    }

    @Test
    void decodesLeaveWithoutPresence() throws Exception {
        Command c = decode(frame("leave", ""));
        assertEquals("leave", c.command());
        assertEquals(ID, c.identifier());
        assertNull(c.presence());
        assertNull(c.data());
        assertNull(c.history());
    }

    @Test
    void decodesPresenceWithData() throws Exception {
        Command c = decode(frame("presence", ",\"data\":{\"return_records\":false}"));
        assertEquals("presence", c.command());
        assertEquals(JsonValue.ValueType.OBJECT, c.data().getValueType());
        assertEquals(false, c.data().asJsonObject().getBoolean("return_records"));
    }

    @Test
    void decodesMessageWithStringData() throws Exception {
        Command c = decode(frame("message", ",\"data\":\"{\\\"action\\\":\\\"do\\\"}\""));
        assertEquals("message", c.command());
        assertEquals(JsonValue.ValueType.STRING, c.data().getValueType());
        assertEquals("{\"action\":\"do\"}", ((JsonString) c.data()).getString());
    }

    @Test
    void decodesCommandWithoutIdentifier() throws Exception {
        Command c = decode("{\"command\":\"ping\"}");
        assertEquals("ping", c.command());
        assertNull(c.identifier());
    }

    @Test
    void nullMembersCountAsAbsent() throws Exception {
        Command c = decode("{\"command\":\"leave\",\"identifier\":null,\"presence\":null,\"data\":null}");
        assertNull(c.identifier());
        assertNull(c.presence());
        assertNull(c.data());
    }

    @Test
    void keepsUnicodeAndEscapedQuotesInIdentifier() throws Exception {
        String id = "{\"channel\":\"$pubsub\",\"stream_name\":\"caf\u00e9 \\\"q\\\" \u2603 \ud83d\ude00\"}";
        String wire = Json.createObjectBuilder().add("command", "subscribe").add("identifier", id).build().toString();
        assertEquals(id, decode(wire).identifier());
    }

    @Test
    void keepsIdentifierWhitespaceAndDecodesEscapes() throws Exception {
        assertEquals("{ \"channel\" : \"$pubsub\" }",
                decode("{\"command\":\"subscribe\",\"identifier\":\"{ \\\"channel\\\" : \\\"$pubsub\\\" }\"}")
                        .identifier());
        assertEquals("caf\u00e9/\u2028", decode("{\"command\":\"subscribe\",\"identifier\":\"caf\\u00e9\\/\\u2028\"}")
                .identifier());
    }

    @Test
    void rejectsNonJson() {
        assertThrows(ProtocolException.class, () -> decode("not json"));
        assertThrows(ProtocolException.class, () -> decode(""));
        assertThrows(ProtocolException.class, () -> decode("{\"command\":"));
    }

    @Test
    void rejectsTrailingContent() {
        assertThrows(ProtocolException.class, () -> decode("{\"command\":\"ping\"} garbage"));
        assertThrows(ProtocolException.class, () -> decode("{\"command\":\"ping\"}{\"command\":\"ping\"}"));
    }

    @Test
    void rejectsNonObjects() {
        assertThrows(ProtocolException.class, () -> decode("[{\"command\":\"ping\"}]"));
        assertThrows(ProtocolException.class, () -> decode("\"ping\""));
        assertThrows(ProtocolException.class, () -> decode("null"));
    }

    @Test
    void rejectsMissingOrNonStringCommand() {
        assertThrows(ProtocolException.class, () -> decode("{\"identifier\":\"x\"}"));
        assertThrows(ProtocolException.class, () -> decode("{\"command\":1,\"identifier\":\"x\"}"));
    }

    @Test
    void rejectsNonStringIdentifier() {
        assertThrows(ProtocolException.class,
                () -> decode("{\"command\":\"subscribe\",\"identifier\":{\"channel\":\"$pubsub\"}}"));
        assertThrows(ProtocolException.class, () -> decode("{\"command\":\"subscribe\",\"identifier\":42}"));
    }

    @Test
    void rejectsNonObjectPresenceOrHistory() {
        assertThrows(ProtocolException.class, () -> decode(frame("join", ",\"presence\":\"42\"")));
        assertThrows(ProtocolException.class, () -> decode(frame("history", ",\"history\":[1]")));
    }

    // ---- encoding ---------------------------------------------------------------------------------

    @Test
    void encodesConnectionFrames() {
        assertEquals("{\"type\":\"welcome\",\"sid\":\"sid-1\"}", Codec.welcome("sid-1"));
        assertEquals("{\"type\":\"ping\",\"message\":1681828329}", Codec.ping(1681828329L));
        assertEquals("{\"type\":\"pong\"}", Codec.pong());
    }

    @Test
    void disconnectAlwaysCarriesReconnect() {
        assertEquals("{\"type\":\"disconnect\",\"reason\":\"too_slow\",\"reconnect\":true}",
                Codec.disconnect("too_slow", true));
        assertEquals("{\"type\":\"disconnect\",\"reason\":\"unauthorized\",\"reconnect\":false}",
                Codec.disconnect("unauthorized", false));
    }

    @Test
    void encodesTypedFrames() {
        String quoted = JsonText.quote(ID);
        assertEquals("{\"type\":\"confirm_subscription\",\"identifier\":" + ID_ON_WIRE + "}",
                Codec.typed("confirm_subscription", quoted));
        assertEquals("{\"type\":\"reject_subscription\",\"identifier\":\"test_channel\"}",
                Codec.typed("reject_subscription", JsonText.quote("test_channel")));
    }

    @Test
    void encodesMessages() {
        assertEquals("{\"identifier\":\"test_channel\",\"message\":\"abc123\"}",
                Codec.message(JsonText.quote("test_channel"), "\"abc123\""));
        assertEquals("{\"identifier\":\"music_channel\",\"message\":{\"num\":7,\"title\":\"The Fray\"}}",
                Codec.message(JsonText.quote("music_channel"), "{\"num\":7,\"title\":\"The Fray\"}"));
    }

    @Test
    void encodesJoinEventWithInfo() {
        String event = Codec.presenceEvent(PresenceEvent.join("42", "{\"name\":\"Sasha\"}", 7));
        assertEquals("{\"type\":\"join\",\"id\":\"42\",\"info\":{\"name\":\"Sasha\"},\"seq\":7}", event);
        assertEquals("{\"type\":\"presence\",\"identifier\":\"chat_1\","
                        + "\"message\":{\"type\":\"join\",\"id\":\"42\",\"info\":{\"name\":\"Sasha\"},\"seq\":7}}",
                Codec.presence(JsonText.quote("chat_1"), event));
    }

    @Test
    void encodesJoinEventWithoutInfo() {
        assertEquals("{\"type\":\"join\",\"id\":\"42\",\"seq\":1}", Codec.presenceEvent(PresenceEvent.join("42", null, 1)));
    }

    /** Issue 20: a transition's number is part of its frame; one without a number has no seq, never a false 0. */
    @Test
    void aPresenceEventCarriesItsSequenceNumberUnlessItHasNone() {
        assertEquals("{\"type\":\"leave\",\"id\":\"42\",\"seq\":4096}",
                Codec.presenceEvent(PresenceEvent.leave("42", 4096)));
        assertEquals("{\"type\":\"join\",\"id\":\"42\",\"info\":[1]}", Codec.presenceEvent(PresenceEvent.join("42", "[1]")));
        assertEquals("{\"type\":\"leave\",\"id\":\"42\"}", Codec.presenceEvent(PresenceEvent.leave("42")));
    }

    @Test
    void leaveEventNeverCarriesInfo() {
        assertEquals("{\"type\":\"leave\",\"id\":\"42\",\"seq\":2}", Codec.presenceEvent(PresenceEvent.leave("42", 2)));
        assertEquals("{\"type\":\"leave\",\"id\":\"42\",\"seq\":3}",
                Codec.presenceEvent(new PresenceEvent(false, "42", "{\"name\":\"x\"}", 3)));
    }

    @Test
    void presenceEventIdIsEscaped() {
        assertEquals("{\"type\":\"leave\",\"id\":\"a\\\"b\\\\c\"}", Codec.presenceEvent(PresenceEvent.leave("a\"b\\c")));
    }

    @Test
    void encodesPresenceInfoWithRecords() {
        PresenceInfo info = new PresenceInfo(3, List.of(
                new PresenceInfo.Record("user-1", "{\"name\":\"Alice\"}"),
                new PresenceInfo.Record("user-2", "\"Bob\""),
                new PresenceInfo.Record("user-3", null)), 12);
        assertEquals("{\"type\":\"info\",\"total\":3,\"seq\":12,\"records\":[{\"id\":\"user-1\",\"info\":{\"name\":\"Alice\"}},"
                + "{\"id\":\"user-2\",\"info\":\"Bob\"},{\"id\":\"user-3\"}]}", Codec.presenceInfo(info, true, Long.MAX_VALUE));
    }

    @Test
    void encodesPresenceInfoWithoutRecords() {
        PresenceInfo info = new PresenceInfo(1, List.of(new PresenceInfo.Record("42", null)), 5);
        assertEquals("{\"type\":\"info\",\"total\":1,\"seq\":5}", Codec.presenceInfo(info, false, Long.MAX_VALUE));
        assertEquals("{\"type\":\"info\",\"total\":0,\"seq\":6}",
                Codec.presenceInfo(new PresenceInfo(0, List.of(), 6), true, Long.MAX_VALUE), "emptied: still numbered");
        assertEquals("{\"type\":\"info\",\"total\":0}", Codec.presenceInfo(PresenceInfo.EMPTY, true, Long.MAX_VALUE));
        assertEquals("{\"type\":\"info\",\"total\":0}", Codec.presenceInfo(PresenceInfo.EMPTY, false, Long.MAX_VALUE));
    }

    @Test
    void encodesPresenceError() {
        assertEquals("{\"type\":\"error\",\"reason\":\"presence not supported\"}",
                Codec.presenceError("presence not supported"));
    }

    @Test
    void aPresenceReplyListsRecordsWhileItFitsAndAlwaysCountsEveryMember() {
        List<PresenceInfo.Record> records = new java.util.ArrayList<>();
        for (int i = 0; i < 7000; i++) {
            records.add(new PresenceInfo.Record("user-" + i, "{\"name\":\"" + "n".repeat(88) + "\"}"));
        }
        PresenceInfo room = new PresenceInfo(7000, records, 0);
        String whole = Codec.presenceInfo(room, true, Long.MAX_VALUE);
        assertTrue(whole.length() > 700_000, "the whole reply: " + whole.length());

        String capped = Codec.presenceInfo(room, true, 65_536);
        assertTrue(capped.length() <= 65_536, "within the cap: " + capped.length());
        assertTrue(capped.startsWith("{\"type\":\"info\",\"total\":7000,\"records\":[{\"id\":\"user-0\","), capped);
        assertTrue(capped.endsWith("}]}"), capped.substring(capped.length() - 40));
        jakarta.json.JsonObject parsed = JsonText.parse(capped).asJsonObject();
        int listed = parsed.getJsonArray("records").size();
        assertTrue(listed > 500 && listed < 7000, "records listed: " + listed);
        // exactly the records that fit, in join order: one more would not have
        String oneMore = Codec.presenceInfo(new PresenceInfo(7000, records.subList(0, listed + 1), 0), true, Long.MAX_VALUE);
        assertTrue(oneMore.length() > 65_536);
        assertEquals(Codec.presenceInfo(new PresenceInfo(7000, records.subList(0, listed), 0), true, Long.MAX_VALUE), capped);
    }

    @Test
    void aPresenceReplyWhereNotOneRecordFitsListsNone() {
        PresenceInfo room = new PresenceInfo(1, List.of(new PresenceInfo.Record("42", "\"" + "x".repeat(100) + "\"")), 0);
        assertEquals("{\"type\":\"info\",\"total\":1}", Codec.presenceInfo(room, true, 50));
    }

    @Test
    void loneSurrogatesGoOutEscapedSoEveryFrameIsValidUtf8() {
        String lone = "a\ud800b\udc00c\ud83d\ude00"; // a lone high, a lone low, then a real pair (an emoji)
        assertEquals("{\"type\":\"leave\",\"id\":\"a\\ud800b\\udc00c\ud83d\ude00\"}",
                Codec.presenceEvent(PresenceEvent.leave(lone)));
        PresenceInfo room = new PresenceInfo(1, List.of(new PresenceInfo.Record("1", "[\"" + lone + "\"]")), 0);
        assertEquals("{\"type\":\"info\",\"total\":1,\"records\":[{\"id\":\"1\",\"info\":[\"a\\ud800b\\udc00c\ud83d\ude00\"]}]}",
                Codec.presenceInfo(room, true, Long.MAX_VALUE));
        assertEquals("\"a\\ud800b\\udc00c\ud83d\ude00\"", JsonText.messageValue("\"" + lone + "\""));
        assertEquals("\"a\\ud800\"", JsonText.messageValue("a\ud800"));
    }
}
