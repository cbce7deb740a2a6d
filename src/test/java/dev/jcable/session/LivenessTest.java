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

    // ---- the WebSocket ping in the same write as the JSON ping (one pass per interval) ------------------

    /** A raw transport (pings are frames of its writes): records each write, a ping as "<ping>", completed at once. */
    static final class RawWrites implements Transport {
        final List<List<String>> writes = new CopyOnWriteArrayList<>();

        @Override
        public void write(List<Frame> frames, jakarta.websocket.SendHandler done) {
            writes.add(frames.stream().map(f -> f.isPing() ? "<ping>" : f.text()).toList());
            done.onResult(new jakarta.websocket.SendResult());
        }

        @Override
        public int maxFrames() {
            return 256;
        }

        @Override
        public boolean writesPings() {
            return true;
        }

        @Override
        public void ping() {
            throw new AssertionError("a raw transport's pings are frames of its writes");
        }
    }

    /** A scheduler whose timers never fire: the test runs the Pinger's passes itself ({@link Pinger#tickNow}). */
    static java.util.concurrent.ScheduledExecutorService neverFires() {
        Object future = java.lang.reflect.Proxy.newProxyInstance(LivenessTest.class.getClassLoader(),
                new Class<?>[] {java.util.concurrent.ScheduledFuture.class},
                (proxy, method, args) -> method.getName().equals("cancel") ? Boolean.TRUE : null);
        return (java.util.concurrent.ScheduledExecutorService) java.lang.reflect.Proxy.newProxyInstance(
                LivenessTest.class.getClassLoader(), new Class<?>[] {java.util.concurrent.ScheduledExecutorService.class},
                (proxy, method, args) -> future);
    }

    static final String JSON_PING = "{\"type\":\"ping\",\"message\":";

    @Test
    void thePingersPassWritesEachWebSocketPingWithTheJsonPingInOneWriteAndTheRoundsLeaveThoseConnectionsOut() {
        OutboxTest.FakeSocket socket = new OutboxTest.FakeSocket(true, "actioncable-v1-json");
        RawWrites raw = new RawWrites();
        CableSession session = new CableSession("sid", socket.session, 1_000_000, Long.MAX_VALUE, OutboxTest.DIRECT,
                raw);
        Liveness liveness = liveness(PING, TIMEOUT);
        Pinger pinger = new Pinger(neverFires(), clock::get);
        pinger.alongside(liveness);
        liveness.add(session);
        pinger.add(session, PING, "s");
        for (int second = 0; second < 120; second++) {
            int before = raw.writes.size();
            if (second % 3 == 1) {
                pinger.tickNow(); // the Pinger's timer, a second out of phase with the rounds
            }
            tick(liveness);
            if (raw.writes.size() > before) {
                session.received(clock.get() - 1_000 + 20); // its pong, 20 ms after the ping
            }
        }
        assertEquals(List.of("<ping>"), raw.writes.get(0), "the first round, before any pass");
        assertEquals(41, raw.writes.size(), "then one write per interval: " + raw.writes);
        for (List<String> write : raw.writes.subList(1, 41)) {
            assertEquals(2, write.size(), write.toString());
            assertEquals("<ping>", write.get(0));
            assertTrue(write.get(1).startsWith(JSON_PING), write.get(1));
        }
        assertEquals(List.of(), dead);
        assertEquals(0, socket.pings.get(), "never the container's sendPing");
    }

    @Test
    void aConnectionWhoseTransportCannotWritePingsAsFramesKeepsItsRoundAndOneThePassNoLongerPingsGetsItBack() {
        OutboxTest.FakeSocket portable = new OutboxTest.FakeSocket(true, "actioncable-v1-json");
        CableSession slow = session(portable); // the container's sendPing, which may block: never on the pass
        RawWrites raw = new RawWrites();
        CableSession fast = new CableSession("sid-2", new OutboxTest.FakeSocket(true, "actioncable-v1-json").session,
                1_000_000, Long.MAX_VALUE, OutboxTest.DIRECT, raw);
        Liveness liveness = liveness(PING, 0); // pings only: nobody is closed here
        Pinger pinger = new Pinger(neverFires(), clock::get);
        pinger.alongside(liveness);
        for (CableSession s : List.of(slow, fast)) {
            liveness.add(s);
            pinger.add(s, PING, "s");
        }
        pinger.tickNow();
        assertEquals(1, portable.frames.size(), "its JSON ping, written at once");
        assertEquals(0, portable.pings.get(), "its WebSocket ping is the round's");
        assertEquals(1, raw.writes.size());
        tick(liveness); // a round: pings the portable one on the executor, not the one pinged along
        assertEquals(1, portable.pings.get());
        assertEquals(1, raw.writes.size());

        pinger.remove(fast); // no more passes for it: the rounds ping it again, within an interval and a tick
        long pingedAlong = clock.get() - 1_000;
        while (raw.writes.size() == 1 && clock.get() < T0 + 60_000) {
            tick(liveness);
        }
        assertEquals(List.of("<ping>"), raw.writes.get(1));
        assertTrue(clock.get() - 1_000 - pingedAlong <= 2 * PING, "pinged again "
                + (clock.get() - 1_000 - pingedAlong) + " ms after its last ping");
    }

    @Test
    void aPingerOfAnotherIntervalLeavesTheWebSocketPingsToTheRounds() {
        RawWrites raw = new RawWrites();
        CableSession session = new CableSession("sid", new OutboxTest.FakeSocket(true, "actioncable-v1-json")
                .session, 1_000_000, Long.MAX_VALUE, OutboxTest.DIRECT, raw);
        Liveness liveness = liveness(PING, 0);
        Pinger pinger = new Pinger(neverFires(), clock::get);
        pinger.alongside(liveness);
        liveness.add(session);
        pinger.add(session, 10_000, "s"); // the client asked for ?pi=10
        pinger.tickNow();
        assertEquals(1, raw.writes.size());
        assertTrue(raw.writes.get(0).size() == 1 && raw.writes.get(0).get(0).startsWith(JSON_PING));
        tick(liveness);
        assertEquals(List.of("<ping>"), raw.writes.get(1), "the round's");
    }
}
