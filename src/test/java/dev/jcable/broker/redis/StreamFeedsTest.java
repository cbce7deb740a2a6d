package dev.jcable.broker.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.broker.BrokerListener;
import dev.jcable.broker.StreamMessage;
import dev.jcable.protocol.PresenceEvent;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * What a node does when it falls behind what Redis pushes (no Redis here: the stream's store is a list, and the
 * executor runs the lanes only when the test says so): the handoff holds at most the lane's limit, and what it
 * dropped is made up for exactly, messages from history and presence by telling the listener.
 */
class StreamFeedsTest {

    private static final int LIMIT = 100;
    private final RedisKeys keys = new RedisKeys("t");
    /** The stream's history in "Redis": offset n holds data "n". */
    private final List<StreamMessage> history = new ArrayList<>();
    private final Queue<Runnable> pending = new ArrayDeque<>();
    private final Executor held = pending::add;
    private final Lanes lanes = new Lanes(held, 1, LIMIT);
    private final List<String> delivered = new ArrayList<>();
    private final List<String> presenceLost = new ArrayList<>();
    private boolean accepting = true;
    /** When set, every read of "Redis" fails with it (its command connection is not back yet). */
    private RuntimeException unreadable;

    private final StreamFeeds feeds = new StreamFeeds(keys, new FeedSource() {
        @Override
        public void subscribe(String channel) {
        }

        @Override
        public void unsubscribe(String channel) {
        }

        @Override
        public FeedSource.Position position(String stream) {
            readable();
            return new FeedSource.Position("E", history.size());
        }

        @Override
        public Optional<List<StreamMessage>> historyFrom(String stream, String epoch, long offset, long upTo) {
            readable();
            return Optional.of(history.stream().filter(m -> m.offset() > offset && m.offset() <= upTo).toList());
        }

        @Override
        public boolean presenceChangedSince(String stream, long sinceMillis) {
            readable();
            return false; // only the failure to read counts in these tests
        }

        private void readable() {
            if (unreadable != null) {
                throw unreadable;
            }
        }
    }, lanes);

    StreamFeedsTest() {
        feeds.start(new BrokerListener() {
            @Override
            public void deliver(StreamMessage message) {
                delivered.add(message.data());
            }

            @Override
            public void presence(String stream, PresenceEvent event) {
                delivered.add((event.join() ? "join " : "leave ") + event.id());
            }

            @Override
            public boolean accepts(String stream) {
                return accepting;
            }

            @Override
            public void presenceLost(String stream, long sinceMillis) {
                presenceLost.add(stream);
            }
        });
    }

    /** Publishes message n in "Redis" and pushes it on the channel, as the publish script does. */
    private void publish(long n) {
        history.add(new StreamMessage("room", Long.toString(n), null, "E", n));
        feeds.received(keys.channel("room"), "m" + n + ":E::" + n);
    }

    private void runLanes() {
        Runnable task;
        while ((task = pending.poll()) != null) {
            task.run();
        }
    }

    private static List<String> numbers(long from, long to) {
        return LongStream.rangeClosed(from, to).mapToObj(Long::toString).toList();
    }

    @Test
    void aNodeThatFallsBehindHoldsAtMostTheLimitAndCatchesUpFromHistoryExactlyOnceInOrder() {
        feeds.attach("room", position -> { });
        for (long n = 1; n <= 3 * LIMIT; n++) {
            publish(n);
        }
        assertEquals(LIMIT + 1, lanes.queued(), "the limit, and one resync");
        assertEquals(2 * LIMIT, feeds.dropped());
        runLanes();
        assertEquals(numbers(1, 3 * LIMIT), delivered);
        assertEquals(List.of(), presenceLost, "no presence event was dropped");
        // caught up: the next message is delivered live, once
        publish(3 * LIMIT + 1);
        runLanes();
        assertEquals(3 * LIMIT + 1, delivered.size());
        assertEquals(0, lanes.queued());
    }

    @Test
    void aDroppedPresenceEventMakesTheSubscribersFetchPresenceAfresh() {
        feeds.attach("room", position -> { });
        for (long n = 1; n <= LIMIT; n++) {
            publish(n);
        }
        feeds.received(keys.channel("room"), "j2:42"); // no room: dropped
        feeds.received(keys.channel("room"), "l42");
        runLanes();
        assertEquals(List.of("room"), presenceLost, "told once");
        assertEquals(numbers(1, LIMIT), delivered, "the presence events were not delivered late, out of order");
    }

    @Test
    void whatTheFanOutCannotTakeIsDroppedAndMadeUpForOnceItCan() {
        feeds.attach("room", position -> { });
        publish(1);
        runLanes();
        accepting = false; // the node's fan-out of the stream is full
        publish(2);
        publish(3);
        feeds.received(keys.channel("room"), "j2:42");
        runLanes(); // the resync runs behind them, and delivers from history what was dropped
        accepting = true;
        assertEquals(numbers(1, 3), delivered);
        assertEquals(List.of("room"), presenceLost);
        assertTrue(feeds.dropped() >= 3, "dropped: " + feeds.dropped());
    }

    /**
     * ChaosIT r14 (seed 1, cycle 5, Redis killed and restarted with its data): Lettuce brought node a's pub/sub
     * connection back and subscribed its channels again 3 ms before its command connection was back, so the catch-up
     * of each stream failed on its first read ("Currently not connected. Commands are rejected.") and nothing asked
     * again: the leaves published between the restart and the new subscription were missed for good. A catch-up that
     * cannot read Redis counts presence as changed (its subscribers are resynced); the messages missed meanwhile are
     * filled once Redis answers (RedisLink's next liveness echo), even on a quiet stream.
     */
    @Test
    void aCatchUpThatCannotReadRedisResyncsTheSubscribers() {
        feeds.attach("room", position -> { });
        feeds.subscribed(keys.channel("room"), System.currentTimeMillis()); // attach's own subscription: nothing to do
        publish(1);
        runLanes();
        history.add(new StreamMessage("room", "2", null, "E", 2)); // published while the connection was away
        unreadable = new dev.jcable.broker.BrokerUnavailableException("jcable: Redis failed (presence changed since):"
                + " Currently not connected. Commands are rejected.", null);
        feeds.subscribed(keys.channel("room"), System.currentTimeMillis()); // Lettuce subscribed again
        runLanes();
        assertEquals(List.of("room"), presenceLost, "unsure counts as changed");
        feeds.retryCatchUps(); // Redis still away: tried again later
        runLanes();
        assertEquals(numbers(1, 1), delivered);
        unreadable = null;
        feeds.retryCatchUps(); // Redis answers again
        runLanes();
        assertEquals(numbers(1, 2), delivered, "what the quiet stream missed does not wait for its next message");
        publish(3);
        runLanes();
        feeds.retryCatchUps(); // nothing owed any more
        runLanes();
        assertEquals(numbers(1, 3), delivered);
        assertEquals(List.of("room"), presenceLost, "told once");
    }

    /**
     * The last subscriber leaves while another one arrives: the node's commands reach the pub/sub connection as
     * unsubscribe, then subscribe, so it ends subscribed. The newcomer's attach is started from inside the unsubscribe
     * call and given until it either subscribed or waits for the old feed's lock; had the feed left the map before the
     * unsubscribe was queued, it would subscribe first, and the unsubscribe that followed would leave the node deaf.
     */
    @Test
    void theLastDetachQueuesItsUnsubscribeBeforeAnAttachCanSubscribeAgain() throws Exception {
        List<String> commands = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.atomic.AtomicReference<StreamFeeds> racing = new java.util.concurrent.atomic.AtomicReference<>();
        List<Thread> newcomers = new ArrayList<>();
        StreamFeeds raced = new StreamFeeds(keys, new FeedSource() {
            @Override
            public void subscribe(String channel) {
                commands.add("subscribe " + channel);
            }

            @Override
            public void unsubscribe(String channel) {
                Thread newcomer = new Thread(() -> racing.get().attach("room", position -> { }));
                newcomers.add(newcomer);
                newcomer.start();
                long end = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
                while (newcomer.getState() != Thread.State.BLOCKED && newcomer.isAlive() && System.nanoTime() < end) {
                    Thread.onSpinWait();
                }
                commands.add("unsubscribe " + channel);
            }

            @Override
            public FeedSource.Position position(String stream) {
                return new FeedSource.Position("E", 0);
            }

            @Override
            public Optional<List<StreamMessage>> historyFrom(String stream, String epoch, long offset, long upTo) {
                return Optional.of(List.of());
            }
        }, lanes);
        racing.set(raced);
        raced.attach("room", position -> { });
        raced.detach("room");
        newcomers.get(0).join(30_000);
        String channel = keys.channel("room");
        assertEquals(List.of("subscribe " + channel, "unsubscribe " + channel, "subscribe " + channel), commands);
        assertEquals(1, raced.subscribers("room"));
    }
}
