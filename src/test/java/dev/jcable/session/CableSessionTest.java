package dev.jcable.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Frame assembly and the per-connection flags of {@link CableSession}. */
class CableSessionTest {

    private final CableSession session = session("actioncable-v1-ext-json");

    private static CableSession session(String subprotocol) {
        return new CableSession("sid-1", new OutboxTest.FakeSocket(false, subprotocol).session, 1_000, Long.MAX_VALUE,
                OutboxTest.DIRECT, Transports.portable());
    }

    @Test
    void singlePartFrameIsReturnedAsIs() {
        String frame = "{\"command\":\"ping\"}";
        assertSame(frame, session.assemble(frame, true, 100));
        String exact = "x".repeat(100);
        assertSame(exact, session.assemble(exact, true, 100));
    }

    @Test
    void oversizedSinglePartIsTooLarge() {
        assertSame(CableSession.TOO_LARGE, session.assemble("x".repeat(101), true, 100));
    }

    @Test
    void partsAreJoined() {
        assertNull(session.assemble("ab", false, 10));
        assertNull(session.assemble("cd", false, 10));
        assertEquals("abcdef", session.assemble("ef", true, 10));
    }

    @Test
    void partsMayAddUpToExactlyTheLimit() {
        assertNull(session.assemble("12345", false, 8));
        assertEquals("12345678", session.assemble("678", true, 8));
    }

    @Test
    void oversizedMultiPartFrameIsTooLargeAndTheNextOneWorks() {
        assertNull(session.assemble("12345", false, 8));
        assertNull(session.assemble("6789", false, 8));
        assertNull(session.assemble("more", false, 8));
        assertSame(CableSession.TOO_LARGE, session.assemble("0", true, 8));
        assertEquals("ok", session.assemble("ok", true, 8));
        assertNull(session.assemble("o", false, 8));
        assertEquals("ok", session.assemble("k", true, 8));
    }

    @Test
    void firstPartAloneOverTheLimitIsTooLarge() {
        assertNull(session.assemble("123456789", false, 8));
        assertSame(CableSession.TOO_LARGE, session.assemble("", true, 8));
        assertEquals("", session.assemble("", true, 8));
    }

    @Test
    void aClientFrameSpellingTheMarkerIsNotTheMarker() {
        String text = "<too large>";
        assertNotSame(CableSession.TOO_LARGE, session.assemble(text, true, 100));
        assertNull(session.assemble("<too ", false, 100));
        assertNotSame(CableSession.TOO_LARGE, session.assemble("large>", true, 100));
    }

    @Test
    void extendedProtocolIsNegotiated() {
        assertTrue(session("actioncable-v1-ext-json").extended());
        assertFalse(session("actioncable-v1-json").extended());
        assertFalse(session(null).extended());
        assertFalse(session("").extended());
    }

    @Test
    void firstBadFrameIsReportedOnce() {
        assertTrue(session.firstBadFrame());
        assertFalse(session.firstBadFrame());
        assertFalse(session.firstBadFrame());
    }

    @Test
    void sidAndSocketAreKept() {
        OutboxTest.FakeSocket socket = new OutboxTest.FakeSocket();
        CableSession s = new CableSession("abc", socket.session, 1_000, Long.MAX_VALUE, OutboxTest.DIRECT,
                Transports.portable());
        assertEquals("abc", s.sid());
        assertSame(socket.session, s.socket());
        assertTrue(s.subscriptions().isEmpty());
        assertFalse(s.disconnecting());
    }
}
