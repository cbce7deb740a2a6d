package dev.jcable.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import jakarta.websocket.CloseReason;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A disconnect tells the host once, so that it can force the close if the goodbye never drains. */
class DisconnectingTest {

    private final List<CableSession> told = new ArrayList<>();
    private final SessionHost host = new SessionHost() {
        @Override
        public void execute(Runnable task) {
            task.run();
        }

        @Override
        public void disconnecting(CableSession session) {
            told.add(session);
        }
    };

    @Test
    void theHostHearsOfEachDisconnectOnceAndAForcedCloseUsesItsReason() {
        OutboxTest.FakeSocket socket = new OutboxTest.FakeSocket(false, "actioncable-v1-ext-json");
        CableSession session = new CableSession("sid-1", socket.session, 1_000, Long.MAX_VALUE, host,
                Transports.portable());
        session.send("stuck"); // a write that never completes: the client stopped reading
        session.disconnect("too_slow", true, CloseReason.CloseCodes.NORMAL_CLOSURE, "Too slow");
        session.disconnect("server_restart", true, CloseReason.CloseCodes.GOING_AWAY, "Server restart");
        assertEquals(List.of(session), told);
        assertEquals(List.of(), socket.closes); // the goodbye waits behind the stuck write
        assertFalse(session.send("more"));
        session.forceClose();
        assertEquals(1, socket.closes.size());
        assertEquals(CloseReason.CloseCodes.NORMAL_CLOSURE, socket.closes.get(0).getCloseCode());
        assertEquals("Too slow", socket.closes.get(0).getReasonPhrase());
    }
}
