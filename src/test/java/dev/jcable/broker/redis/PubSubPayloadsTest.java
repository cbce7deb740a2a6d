package dev.jcable.broker.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jcable.broker.StreamMessage;
import dev.jcable.protocol.PresenceEvent;
import org.junit.jupiter.api.Test;

/** The bodies the scripts publish on a stream's channel, and the channel names, read back. */
class PubSubPayloadsTest {

    @Test
    void aMessageKeepsColonsInItsDataAndMayHaveNoExcludedSession() {
        assertEquals(new StreamMessage("room", "{\"t\":\"a:b\"}", "sid1", "Ab3", 12),
                PubSubPayloads.message("room", "m12:Ab3:sid1:{\"t\":\"a:b\"}"));
        assertEquals(new StreamMessage("room", "", null, "Ab3", 1), PubSubPayloads.message("room", "m1:Ab3::"));
        assertThrows(IllegalArgumentException.class, () -> PubSubPayloads.message("room", "m1:Ab3"));
    }

    @Test
    void aWhisperHasNoOffsetOrEpoch() {
        assertEquals(new StreamMessage("room", "{\"e\":\"typing\"}", "sid1", null, 0),
                PubSubPayloads.whisper("room", "tsid1:{\"e\":\"typing\"}"));
        assertNull(PubSubPayloads.whisper("room", "t:x").excludeSocket());
    }

    @Test
    void aJoinIsFramedByTheIdsUtf8LengthSoAnIdMayHoldAnything() {
        assertEquals(PresenceEvent.join("42", "{\"n\":1}", 7), PubSubPayloads.presence("j7:2:42{\"n\":1}"));
        assertEquals(PresenceEvent.join("a:b{", null, 1), PubSubPayloads.presence("j1:4:a:b{"));
        // ü = 2 bytes, ✓ = 3 bytes, 😀 = 4 bytes (two Java chars)
        assertEquals(PresenceEvent.join("ü✓😀", "[1]", 12), PubSubPayloads.presence("j12:9:ü✓😀[1]"));
        assertEquals(PresenceEvent.leave("ü✓", 13), PubSubPayloads.presence("l13:ü✓"));
    }

    @Test
    void aChannelNamesItsStreamBelowThePrefix() {
        RedisKeys keys = new RedisKeys("app");
        assertEquals("app:{room/1}", keys.channel("room/1"));
        assertEquals("room/1", keys.streamOf("app:{room/1}"));
        assertEquals("a}b", keys.streamOf(keys.channel("a}b")));
        assertNull(keys.streamOf("__anycable__"));
        assertNull(keys.streamOf("other:{room}"));
        assertNull(keys.streamOf("app:{"));
    }
}
