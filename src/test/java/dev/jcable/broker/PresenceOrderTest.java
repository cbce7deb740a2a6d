package dev.jcable.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The order in which the store hands a stream's events to the node is the order subscribers see them: two sessions of
 * one presence id joining and leaving one stream at the same time must still produce join, leave, join, leave… The
 * race this reaches: the last leave empties the stream and drops it from the map; a join on another thread then
 * starts a fresh stream under another lock and, if the leave is emitted after the drop, overtakes it (subscribers
 * saw two joins in a row and believed the id present after it left).
 */
class PresenceOrderTest {

    static final String S = "room";
    static final int ROUNDS = 300_000;

    @Test
    void joinsAndLeavesOfOneIdAlternateWhateverTheThreads() throws Exception {
        MemoryBrokerTest.RecordingListener listener = new MemoryBrokerTest.RecordingListener();
        MemoryBroker broker = new MemoryBroker(System::currentTimeMillis, new BrokerSettings(Duration.ofSeconds(15),
                10_000, 100, Duration.ofSeconds(300), Duration.ofSeconds(300)), at -> { });
        broker.start(listener);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> running = new ArrayList<>();
            for (String sid : List.of("s1", "s2")) {
                running.add(threads.submit(() -> {
                    go.await();
                    for (int i = 0; i < ROUNDS; i++) {
                        broker.presenceAdd(S, sid, "u1", null);
                        broker.presenceRemove(S, sid);
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> future : running) {
                future.get(120, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
        List<MemoryBrokerTest.Seen> events = List.copyOf(listener.events);
        assertTrue(events.size() >= 1000, "the two sessions mostly overlapped: only " + events.size() + " events");
        for (int i = 0; i < events.size(); i++) {
            assertEquals(i % 2 == 0, events.get(i).event().join(), "event " + i + " of " + events.size());
        }
        assertEquals(0, events.size() % 2, "the last event is a leave");
        assertEquals(0, broker.presenceInfo(S).total());
    }
}
