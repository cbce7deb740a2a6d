package dev.jcable.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.jcable.protocol.Codec;
import org.junit.jupiter.api.Test;

class SseFramesTest {

    @Test
    void typedFramesAreNamedEventsCarryingTheWholeFrame() {
        assertEquals("event: welcome\ndata: {\"type\":\"welcome\",\"sid\":\"s1\"}\n\n",
                SseFrames.event(Codec.welcome("s1")));
        assertEquals("event: ping\ndata: {\"type\":\"ping\",\"message\":1700000000}\n\n",
                SseFrames.event(Codec.ping(1700000000)));
        assertEquals("event: confirm_subscription\ndata: {\"type\":\"confirm_subscription\",\"identifier\":\"{}\"}\n\n",
                SseFrames.event(Codec.typed("confirm_subscription", "\"{}\"")));
    }

    @Test
    void aDisconnectWithoutReconnectTellsEventSourceToWaitAYear() {
        assertEquals("event: disconnect\ndata: {\"type\":\"disconnect\",\"reason\":\"unauthorized\",\"reconnect\":false}"
                + "\nretry: 31536000000\n\n", SseFrames.event(Codec.disconnect("unauthorized", false)));
        assertEquals("event: disconnect\ndata: {\"type\":\"disconnect\",\"reason\":\"server_restart\",\"reconnect\":true}"
                + "\n\n", SseFrames.event(Codec.disconnect("server_restart", true)));
    }

    @Test
    void messagesCarryOnlyTheirMessageAndDurableOnesAnId() {
        String durable = Codec.message("\"{\\\"channel\\\":\\\"$pubsub\\\"}\"", "{\"text\":\"hi\"}",
                Codec.streamMeta("chat/1", "ep0", 42));
        assertEquals("id: 42/chat/1/ep0\ndata: {\"text\":\"hi\"}\n\n", SseFrames.event(durable));
        assertEquals("data: \"hello\"\n\n", SseFrames.event(Codec.message("\"x\"", "\"hello\"")));
    }

    @Test
    void aMessageIsOneCompactDataLineWhateverItsLayoutAndNonFramesAreNoEvents() {
        assertEquals("data: {\"a\":1,\"b\":\"x\\ny\"}\n\n",
                SseFrames.event("{\"identifier\":\"x\",\"message\":{\"a\":\n1,\r\n\"b\":\"x\\ny\"}}"));
        assertEquals("", SseFrames.event("not json"));
        assertEquals("", SseFrames.event("[1]"));
        assertEquals("", SseFrames.event("{\"identifier\":\"x\"}"));
    }

    @Test
    void lastEventIdNamesAPositionWhoseStreamMayHoldSlashes() {
        assertEquals(new SseFrames.Position(12, "a/b", "ep"), SseFrames.position("12/a/b/ep"));
        assertEquals(new SseFrames.Position(0, "s", "e"), SseFrames.position("0/s/e"));
        assertNull(SseFrames.position(null));
        assertNull(SseFrames.position("12/ep"));
        assertNull(SseFrames.position("x/s/e"));
        assertNull(SseFrames.position("-1/s/e"));
        assertNull(SseFrames.position("1//e"));
        assertNull(SseFrames.position("1/s/"));
    }
}
