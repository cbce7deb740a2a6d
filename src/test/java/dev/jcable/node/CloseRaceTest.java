package dev.jcable.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.config.Option;
import dev.jcable.protocol.JsonText;
import dev.jcable.protocol.PresenceInfo;
import dev.jcable.session.OutboxTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Close against command on one session and one presence id, with real threads on a real node: the connection's
 * own frames (join / leave / presence / subscribe, as its container thread delivers them) race its close, a restore
 * of it by a second connection (which joins the same id and closes), and the TTL expiry on the node's timer. Each
 * round draws its own schedule (how far each thread gets before the others start). The invariant: once every
 * session is closed and the TTL has passed, no member remains, and an observer saw the id's join and leave
 * strictly alternate, ending with one leave.
 */
class CloseRaceTest {

    static final String EXT = "actioncable-v1-ext-json";
    static final int ROUNDS = 400;

    final NodeHarness harness = new NodeHarness(Map.of(Option.PING_INTERVAL, "0", Option.PUBLIC_STREAMS, "true",
            Option.PRESENCE_TTL, "0.02"));
    final ExecutorService threads = Executors.newFixedThreadPool(3);

    @AfterEach
    void stop() {
        threads.shutdownNow();
        harness.close();
    }

    static String identifier(String stream) {
        return JsonText.quote("{\"channel\":\"$pubsub\",\"stream_name\":\"" + stream + "\"}");
    }

    static String command(String command, String stream, String more) {
        return "{\"command\":\"" + command + "\",\"identifier\":" + identifier(stream) + more + "}";
    }

    static void spin(int n) {
        for (int i = 0; i < n; i++) {
            Thread.onSpinWait();
        }
    }

    @Test
    void noGhostAndOneLeaveWhateverTheSchedule() throws Exception {
        Random random = new Random(21);
        for (int round = 0; round < ROUNDS; round++) {
            String stream = "room-" + round;
            // one per round: a single observer would pass max_subscriptions and the command rate, and see nothing
            OutboxTest.FakeSocket observer = harness.open(EXT);
            String join = command("join", stream, ",\"presence\":{\"id\":\"u1\"}");
            harness.node.receive(observer.session, command("subscribe", stream, ""), true);
            OutboxTest.FakeSocket first = harness.open(EXT);
            harness.node.receive(first.session, command("subscribe", stream, ""), true);
            String sid = harness.session(first).sid();
            int frames = 1 + random.nextInt(12);
            int closeAfter = random.nextInt(4000);
            int restoreAfter = random.nextInt(4000);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> running = new ArrayList<>();
            running.add(threads.submit(() -> { // the connection's container thread
                go.await();
                for (int i = 0; i < frames; i++) {
                    harness.node.receive(first.session, i % 2 == 0 ? join : command("leave", stream, ""), true);
                    if (i % 3 == 2) {
                        harness.node.receive(first.session, command("subscribe", stream + "-x", ""), true);
                    }
                }
                return null;
            }));
            running.add(threads.submit(() -> { // its close (by the container, by liveness, by a goodbye's grace)
                go.await();
                spin(closeAfter);
                harness.node.close(first.session);
                return null;
            }));
            running.add(threads.submit(() -> { // a second connection restoring it, joining as the same id
                go.await();
                spin(restoreAfter);
                OutboxTest.FakeSocket second = harness.open(EXT, Map.of("sid", sid));
                harness.node.receive(second.session, command("subscribe", stream, ""), true);
                harness.node.receive(second.session, join, true);
                harness.node.close(second.session);
                return null;
            }));
            go.countDown();
            for (Future<?> future : running) {
                future.get(60, TimeUnit.SECONDS);
            }
            harness.node.close(first.session);
            long until = System.currentTimeMillis() + 20_000;
            // the leave is emitted just after the member is gone (under the stream's lock): wait for both
            while ((harness.broker().presenceInfo(stream).total() != 0
                    || events(observer, stream).size() % 2 != 0) && System.currentTimeMillis() < until) {
                Thread.sleep(5); // the TTL's expiry runs on the node's timer
            }
            // the events queued so far have reached the observer, whichever thread (this one, the three above, the
            // node's timer) was draining the stream's shard when they were queued
            harness.quiesce(stream);
            assertEquals(new PresenceInfo(0, List.of(), events(observer, stream).size()),
                    harness.broker().presenceInfo(stream), "round " + round + ": a member outlived every session and"
                    + " its TTL; the set is numbered as the last transition the observer saw");
            assertEquals(0, harness.hub().subscribers(stream + "-x"), "round " + round + ": a subscription attached"
                    + " after its session's close stays in the hub");
            assertAlternates(observer, stream, round);
            assertEquals(List.of(), observer.closes, "round " + round + ": the observer saw it all");
            harness.node.close(observer.session);
        }
    }

    private static List<String> events(OutboxTest.FakeSocket observer, String stream) {
        String prefix = "{\"type\":\"presence\",\"identifier\":" + identifier(stream) + ",\"message\":{\"type\":\"";
        List<String> frames;
        synchronized (observer.frames) { // a synchronized list: iterated under its lock, as the node's timer may add
            frames = List.copyOf(observer.frames);
        }
        return frames.stream().filter(f -> f.startsWith(prefix))
                .map(f -> f.substring(prefix.length(), f.indexOf('"', prefix.length()))).toList();
    }

    /** The observer's presence frames for the stream: join, leave, join, leave… ending with a leave. */
    private static void assertAlternates(OutboxTest.FakeSocket observer, String stream, int round) {
        List<String> events = events(observer, stream);
        for (int i = 0; i < events.size(); i++) {
            assertEquals(i % 2 == 0 ? "join" : "leave", events.get(i), "round " + round + ": " + events);
        }
        assertTrue(events.size() % 2 == 0, "round " + round + ": no leave after the last join: " + events);
    }
}
