package dev.jcable.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Dead peers are told from live ones: by WebSocket pings they leave unanswered, by JSON pings of clients that send
 * pongs, by writes that stop making progress. Ticks are driven by hand on a clock the test moves.
 */
class LivenessTest {

    static final long T0 = 1_700_000_000_000L;
    static final long PING = 3_000;
    static final long TIMEOUT = 8_000;

    final AtomicLong clock = new AtomicLong(T0);
    final List<CableSession> dead = new CopyOnWriteArrayList<>();
    final List<Runnable> executor = new ArrayList<>();

    Liveness liveness(long pingInterval, long timeout) {
        return new Liveness(null, executor::add, clock::get, pingInterval, timeout, dead::add);
    }

    static CableSession session(OutboxTest.FakeSocket socket) {
        return new CableSession("sid", socket.session, 1_000_000, Long.MAX_VALUE, OutboxTest.DIRECT,
                Transports.portable());
    }

    /** One tick a second, running the ping rounds it hands to the executor. */
    void tick(Liveness liveness) {
        liveness.tick();
        executor.forEach(Runnable::run);
        executor.clear();
        clock.addAndGet(1_000);
    }

    @Test
    void aClientThatNeverAnswersIsDeadOnceTheTimeoutPassedAfterThePing() {
        OutboxTest.FakeSocket socket = new OutboxTest.FakeSocket(true, "actioncable-v1-json");
        CableSession session = session(socket);
        Liveness liveness = liveness(PING, TIMEOUT);
        liveness.add(session);
        tick(liveness); // T0: the first round pings
        assertEquals(1, socket.pings.get());
        while (clock.get() < T0 + TIMEOUT) {
            tick(liveness);
            assertEquals(List.of(), dead, "still within the timeout at " + (clock.get() - T0 - 1_000));
        }
        tick(liveness); // T0 + 8 s: silent for the whole timeout since the ping
        assertEquals(List.of(session), dead);
        assertEquals(0, liveness.watched(), "handed over once, then no longer watched");
        for (int i = 0; i < 10; i++) {
            tick(liveness);
        }
        assertEquals(1, dead.size());
    }

    @Test
    void aClientThatAnswersEveryPingStaysAliveAndIsPingedEveryInterval() {
        OutboxTest.FakeSocket socket = new OutboxTest.FakeSocket(true, "actioncable-v1-json");
        CableSession session = session(socket);
        Liveness liveness = liveness(PING, TIMEOUT);
        liveness.add(session);
        for (int second = 0; second < 120; second++) {
            int before = socket.pings.get();
            tick(liveness);
            if (socket.pings.get() > before) {
                session.received(clock.get() - 1_000 + 20); // its pong, 20 ms after the ping
            }
        }
        assertEquals(List.of(), dead);
        assertEquals(40, socket.pings.get(), "one ping every 3 s for 120 s");
    }

    @Test
    void anyFrameAnswersAndAPingAlreadyOwedIsNotRestarted() {
        OutboxTest.FakeSocket socket = new OutboxTest.FakeSocket(true, "actioncable-v1-json");
        CableSession session = session(socket);
        Liveness liveness = liveness(PING, TIMEOUT);
        liveness.add(session);
        tick(liveness);                         // T0: ping 1, owed from T0
        session.received(T0 + 500);             // a text frame: answered
        for (int i = 0; i < 3; i++) {
            tick(liveness);                     // T0+1, +2, +3 s: ping 2 at +3 s, owed from +3 s
        }
        for (int i = 0; i < 7; i++) {
            tick(liveness);                     // +4 .. +10 s, ping 3 at +6, ping 4 at +9: still owed from +3 s
        }
        assertEquals(List.of(), dead);
        tick(liveness);                         // +11 s = +3 s + 8 s
        assertEquals(List.of(session), dead);
        assertEquals(4, socket.pings.get());
    }

    @Test
    void aClientThatStoppedReadingIsDeadWithoutAPingReachingIt() {
        OutboxTest.FakeSocket socket = new OutboxTest.FakeSocket(false, "actioncable-v1-json");
        CableSession session = session(socket);
        Liveness liveness = liveness(PING, TIMEOUT);
        liveness.add(session);
        session.send("a frame the client never takes");
        tick(liveness); // T0: stalled from here; the ping waits for the write slot and is not written
        assertEquals(0, socket.pings.get());
        while (clock.get() < T0 + TIMEOUT) {
            tick(liveness);
        }
        assertEquals(List.of(), dead);
        tick(liveness);
        assertEquals(List.of(session), dead);
        assertEquals(0, socket.pings.get(), "no ping ever interleaved with the stuck write");
    }

    @Test
    void aStalledClientThatKeepsTalkingIsNotDead() {
        OutboxTest.FakeSocket socket = new OutboxTest.FakeSocket(false, "actioncable-v1-ext-json");
        CableSession session = session(socket);
        Liveness liveness = liveness(PING, TIMEOUT);
        liveness.add(session);
        session.send("stuck");
        for (int second = 0; second < 60; second++) {
            session.received(clock.get()); // e.g. {"command":"pong"} while it does not read: too_slow's case
            tick(liveness);
        }
        assertEquals(List.of(), dead);
    }

    @Test
    void aBusyClientThatKeepsReadingIsNotDeadThoughNoPingFindsTheSlotFree() {
        OutboxTest.FakeSocket socket = new OutboxTest.FakeSocket(false, "actioncable-v1-json");
        CableSession session = session(socket);
        Liveness liveness = liveness(PING, TIMEOUT);
        liveness.add(session);
        session.send("frame 0");
        for (int second = 0; second < 60; second++) {
            tick(liveness);
            session.send("frame " + (second + 1)); // queued behind the one in flight
            socket.complete();                       // the client reads one frame a second: progress
        }
        assertEquals(List.of(), dead);
        assertEquals(0, socket.pings.get(), "a write was always in flight");
    }

    @Test
    void withoutWebSocketPingsJsonPingsCountForClientsThatSendPongs() {
        OutboxTest.FakeSocket extSocket = new OutboxTest.FakeSocket(true, "actioncable-v1-ext-json");
        OutboxTest.FakeSocket plainSocket = new OutboxTest.FakeSocket(true, "actioncable-v1-json");
        CableSession ponging = session(extSocket);
        CableSession silent = session(plainSocket);
        Liveness liveness = liveness(0, TIMEOUT);
        liveness.add(ponging);
        liveness.add(silent);
        ponging.received(T0 - 10);
        ponging.sendsPongs(); // it once answered {"command":"pong"}
        for (int second = 0; second <= 8; second++) {
            if (second % 3 == 0) {
                ponging.applicationPing(new Frame("{\"type\":\"ping\",\"message\":1}"), clock.get());
                silent.applicationPing(new Frame("{\"type\":\"ping\",\"message\":1}"), clock.get());
            }
            tick(liveness);
        }
        // T0 + 9 s: ponging owes an answer since T0 (8 s passed at the tick of T0 + 8 s)
        assertEquals(List.of(ponging), dead);
        assertEquals(0, extSocket.pings.get() + plainSocket.pings.get(), "no WebSocket pings");
        for (int second = 0; second < 60; second++) {
            tick(liveness);
        }
        assertEquals(List.of(ponging), dead, "a client that never sent a pong is not held to JSON pings");
    }

    @Test
    void aZeroTimeoutPingsButNeverClosesAnyone() {
        OutboxTest.FakeSocket socket = new OutboxTest.FakeSocket(true, "actioncable-v1-json");
        CableSession session = session(socket);
        Liveness liveness = liveness(PING, 0);
        liveness.add(session);
        for (int second = 0; second < 60; second++) {
            tick(liveness);
        }
        assertEquals(List.of(), dead);
        assertEquals(20, socket.pings.get());
    }

    @Test
    void pingsAreWrittenOnTheExecutorNeverOnTheTimer() {
        OutboxTest.FakeSocket socket = new OutboxTest.FakeSocket(true, "actioncable-v1-json");
        Liveness liveness = liveness(PING, TIMEOUT);
        liveness.add(session(socket));
        liveness.tick();
        assertEquals(0, socket.pings.get());
        assertEquals(1, executor.size(), "one task for the round");
        executor.get(0).run();
        assertEquals(1, socket.pings.get());
    }

    @Test
    void stopEndsEverything() {
        OutboxTest.FakeSocket socket = new OutboxTest.FakeSocket(true, "actioncable-v1-json");
        Liveness liveness = liveness(PING, TIMEOUT);
        liveness.add(session(socket));
        liveness.stop();
        for (int second = 0; second < 20; second++) {
            tick(liveness);
        }
        assertEquals(0, socket.pings.get());
        assertEquals(List.of(), dead);
        assertFalse(liveness.watched() > 0);
        liveness.add(session(socket));
        assertTrue(liveness.watched() == 0, "nothing is watched once stopped");
    }
}
