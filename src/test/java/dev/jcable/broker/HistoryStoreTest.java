package dev.jcable.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.broker.Publication;
import dev.jcable.protocol.PresenceEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Stream offsets and history through the memory broker (protocol doc, sections 2.4 and 5.3), on a clock the test
 * moves.
 */
class HistoryStoreTest {

    /** Half a second into Unix second 1_700_000_000. */
    static final long T0 = 1_700_000_000_500L;
    static final long SECOND0 = 1_700_000_000L;
    static final long TTL = 60_000L;
    static final String S = "chat:42";

    /** Records deliveries in the order the broker made them. */
    static final class Deliveries implements BrokerListener {
        final List<StreamMessage> messages = Collections.synchronizedList(new ArrayList<>());
        volatile Consumer<StreamMessage> also = m -> { };

        @Override
        public void deliver(StreamMessage message) {
            messages.add(message);
            also.accept(message);
        }

        @Override
        public void presence(String stream, PresenceEvent event) {
        }

        List<StreamMessage> snapshot() {
            synchronized (messages) {
                return List.copyOf(messages);
            }
        }
    }

    final AtomicLong clock = new AtomicLong(T0);
    final List<Long> wakeups = new CopyOnWriteArrayList<>();
    final Deliveries listener = new Deliveries();
    MemoryBroker broker;

    @BeforeEach
    void start() {
        broker = broker(100);
    }

    MemoryBroker broker(int historyLimit) {
        MemoryBroker b = new MemoryBroker(clock::get, new BrokerSettings(Duration.ofSeconds(15), 100, historyLimit,
                Duration.ofMillis(TTL), Duration.ofSeconds(300)), wakeups::add);
        b.start(listener);
        return b;
    }

    void publish(String stream, String data) {
        broker.publish(new Publication(stream, data));
    }

    void publishN(String stream, int n) {
        for (int i = 1; i <= n; i++) {
            publish(stream, "m" + i);
        }
    }

    StreamMessage msg(String stream, String data, long offset) {
        return new StreamMessage(stream, data, null, broker.epoch(), offset);
    }

    static List<Long> offsets(List<StreamMessage> messages) {
        return messages.stream().map(StreamMessage::offset).toList();
    }

    static List<Long> offsets(Optional<List<StreamMessage>> messages) {
        assertTrue(messages.isPresent(), "expected history, got a refusal");
        return offsets(messages.get());
    }

    Optional<List<StreamMessage>> from(long offset) {
        return broker.historyFrom(S, broker.epoch(), offset, Long.MAX_VALUE);
    }

    // ---- offsets and epoch ---------------------------------------------------------------------------

    @Test
    void offsetsStartAtOneAndIncreasePerStream() {
        publish(S, "a");
        publish("other", "b");
        publish(S, "c");
        publish("other", "d");
        publish(S, "e");
        assertEquals(List.of(msg(S, "a", 1), msg("other", "b", 1), msg(S, "c", 2), msg("other", "d", 2),
                msg(S, "e", 3)), listener.snapshot());
        listener.snapshot().forEach(m -> assertTrue(m.durable(), m.toString()));
    }

    @Test
    void deliveryKeepsDataAndExcludedSocket() {
        broker.publish(new Publication(S, "{\"text\":\"hi\"}", "sid-7"));
        assertEquals(List.of(new StreamMessage(S, "{\"text\":\"hi\"}", "sid-7", broker.epoch(), 1)),
                listener.snapshot());
    }

    @Test
    void epochIsSixAlphanumericCharsAndDiffersBetweenBrokers() {
        String epoch = broker.epoch();
        assertTrue(epoch.matches("[0-9A-Za-z]{6}"), epoch);
        assertEquals(epoch, broker.epoch());
        MemoryBroker other = broker(100);
        assertTrue(other.epoch().matches("[0-9A-Za-z]{6}"), other.epoch());
        assertNotEquals(epoch, other.epoch());
    }

    // ---- historyFrom ---------------------------------------------------------------------------------

    @Test
    void fromReturnsMessagesAfterTheOffsetInOrder() {
        publishN(S, 5);
        assertEquals(List.of(msg(S, "m3", 3), msg(S, "m4", 4), msg(S, "m5", 5)), from(2).orElseThrow());
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), offsets(from(0)));
        assertEquals(List.of(5L), offsets(from(4)));
    }

    @Test
    void fromTheLatestOffsetIsAnEmptyBacklog() {
        publishN(S, 5);
        assertEquals(Optional.of(List.of()), from(5));
    }

    @Test
    void fromAheadOfTheStreamIsRefused() {
        publishN(S, 5);
        assertEquals(Optional.empty(), from(6));
        assertEquals(Optional.empty(), from(1_000));
    }

    @Test
    void negativeOffsetIsRefused() {
        publishN(S, 2);
        assertEquals(Optional.empty(), from(-1));
    }

    @Test
    void anotherEpochIsRefused() {
        publishN(S, 5);
        assertEquals(Optional.empty(), broker.historyFrom(S, "xxxxxx", 2, Long.MAX_VALUE));
        assertEquals(Optional.empty(), broker.historyFrom(S, broker(100).epoch(), 2, Long.MAX_VALUE));
        assertEquals(Optional.empty(), broker.historyFrom(S, "", 2, Long.MAX_VALUE));
    }

    @Test
    void unknownStreamIsRefused() {
        publishN(S, 5);
        assertEquals(Optional.empty(), broker.historyFrom("nope", broker.epoch(), 0, Long.MAX_VALUE));
        assertEquals(Optional.empty(), broker.historyFrom("nope", broker.epoch(), 2, Long.MAX_VALUE));
    }

    @Test
    void limitKeepsTheNewestMessages() {
        broker = broker(3);
        publishN(S, 5);
        assertEquals(List.of(3L, 4L, 5L), offsets(broker.historySince(S, 0, Long.MAX_VALUE)));
        // offset 2: the client needs 3.. and all of them are kept
        assertEquals(List.of(msg(S, "m3", 3), msg(S, "m4", 4), msg(S, "m5", 5)), from(2).orElseThrow());
        assertEquals(List.of(4L, 5L), offsets(from(3)));
        // offset 1: message 2 was dropped
        assertEquals(Optional.empty(), from(1));
        assertEquals(Optional.empty(), from(0));
    }

    @Test
    void upToCutsTheBacklog() {
        publishN(S, 5);
        assertEquals(List.of(1L, 2L), offsets(broker.historyFrom(S, broker.epoch(), 0, 2)));
        assertEquals(List.of(3L), offsets(broker.historyFrom(S, broker.epoch(), 2, 3)));
        assertEquals(Optional.of(List.of()), broker.historyFrom(S, broker.epoch(), 2, 2));
    }

    @Test
    void upToDoesNotWidenTheRetentionCheck() {
        broker = broker(3);
        publishN(S, 5);
        assertEquals(Optional.empty(), broker.historyFrom(S, broker.epoch(), 1, 4));
        assertEquals(List.of(3L, 4L), offsets(broker.historyFrom(S, broker.epoch(), 2, 4)));
    }

    // ---- historySince --------------------------------------------------------------------------------

    @Test
    void sinceComparesWholeSeconds() {
        publish(S, "a");                               // second 1_700_000_000 (.500)
        clock.set(1_700_000_001_000L);
        publish(S, "b");                               // second 1_700_000_001 (.000)
        clock.set(1_700_000_002_999L);
        publish(S, "c");                               // second 1_700_000_002 (.999)

        assertEquals(List.of(msg(S, "a", 1), msg(S, "b", 2), msg(S, "c", 3)),
                broker.historySince(S, SECOND0, Long.MAX_VALUE));
        assertEquals(List.of(1L, 2L, 3L), offsets(broker.historySince(S, 0, Long.MAX_VALUE)));
        assertEquals(List.of(1L, 2L, 3L), offsets(broker.historySince(S, SECOND0 - 1, Long.MAX_VALUE)));
        assertEquals(List.of(2L, 3L), offsets(broker.historySince(S, SECOND0 + 1, Long.MAX_VALUE)));
        assertEquals(List.of(3L), offsets(broker.historySince(S, SECOND0 + 2, Long.MAX_VALUE)));
        assertEquals(List.of(), broker.historySince(S, SECOND0 + 3, Long.MAX_VALUE));
    }

    @Test
    void sinceHonoursUpTo() {
        publishN(S, 5);
        assertEquals(List.of(1L, 2L), offsets(broker.historySince(S, SECOND0, 2)));
        assertEquals(List.of(), broker.historySince(S, SECOND0, 0));
    }

    @Test
    void sinceOnAnUnknownStreamIsEmpty() {
        publishN(S, 2);
        assertEquals(List.of(), broker.historySince("nope", 0, Long.MAX_VALUE));
        assertEquals(0, offsets(broker.historySince("nope", SECOND0, Long.MAX_VALUE)).size());
    }

    // ---- TTL -------------------------------------------------------------------------------------------

    @Test
    void messagesExpireAfterTheTtlEvenBeforeExpireRuns() {
        publish(S, "a");
        clock.set(T0 + 10_000);
        publish(S, "b");

        clock.set(T0 + TTL - 1);
        assertEquals(List.of(1L, 2L), offsets(broker.historySince(S, 0, Long.MAX_VALUE)));
        assertEquals(List.of(1L, 2L), offsets(from(0)));

        clock.set(T0 + TTL);
        assertEquals(List.of(2L), offsets(broker.historySince(S, 0, Long.MAX_VALUE)));
        assertEquals(Optional.empty(), from(0));
        assertEquals(List.of(2L), offsets(from(1)));

        clock.set(T0 + 10_000 + TTL);
        assertEquals(List.of(), broker.historySince(S, 0, Long.MAX_VALUE));
        assertEquals(Optional.empty(), from(0));
        assertEquals(Optional.empty(), from(1));
        assertEquals(Optional.of(List.of()), from(2)); // nothing was missed
        assertEquals(Optional.empty(), from(3));
    }

    @Test
    void expireDropsMessagesAndReturnsTheNextDeadline() {
        publish(S, "a");
        clock.set(T0 + 10_000);
        publish(S, "b");
        assertEquals(Set.of(T0 + TTL), new HashSet<>(wakeups));

        clock.set(T0 + TTL - 1);
        assertEquals(T0 + TTL, broker.expire());
        assertEquals(List.of(1L, 2L), offsets(broker.historySince(S, 0, Long.MAX_VALUE)));

        clock.set(T0 + TTL);
        assertEquals(T0 + 10_000 + TTL, broker.expire()); // the next message's expiry
        assertTrue(wakeups.contains(T0 + 10_000 + TTL));
        assertEquals(List.of(2L), offsets(broker.historySince(S, 0, Long.MAX_VALUE)));

        clock.set(T0 + 10_000 + TTL);
        long keepUntil = T0 + 10_000 + 10 * TTL; // ten lifetimes after the last publication
        assertEquals(keepUntil, broker.expire());
        assertTrue(wakeups.contains(keepUntil));
        assertEquals(List.of(), broker.historySince(S, 0, Long.MAX_VALUE));
        assertEquals(1, broker.historyStreams());
    }

    @Test
    void offsetSurvivesTheExpiryOfItsMessages() {
        publishN(S, 2);
        clock.set(T0 + 5 * TTL);
        assertEquals(T0 + 10 * TTL, broker.expire());
        assertEquals(1, broker.historyStreams());

        publish(S, "later");
        assertEquals(msg(S, "later", 3), listener.snapshot().get(2));
        assertEquals(List.of(3L), offsets(from(2)));
        assertEquals(Optional.empty(), from(1)); // 2 expired
        // the new message re-arms the entry expiry
        assertEquals(T0 + 6 * TTL, broker.expire());
    }

    @Test
    void quietStreamIsForgottenAfterTenLifetimesAndItsOffsetsNeverRestart() {
        publishN(S, 2);
        clock.set(T0 + TTL);
        assertEquals(T0 + 10 * TTL, broker.expire());

        clock.set(T0 + 10 * TTL - 1);
        assertEquals(T0 + 10 * TTL, broker.expire());
        assertEquals(1, broker.historyStreams());
        assertEquals(Optional.of(List.of()), from(2));

        clock.set(T0 + 10 * TTL);
        assertEquals(Long.MAX_VALUE, broker.expire());
        assertEquals(0, broker.historyStreams());
        assertEquals(Optional.empty(), from(2));
        assertEquals(Optional.empty(), from(0));

        // the stream starts again under the same epoch: above every offset it (or any forgotten stream) reached
        publishN(S, 2);
        assertEquals(msg(S, "m1", 3), listener.snapshot().get(2));
        assertEquals(msg(S, "m2", 4), listener.snapshot().get(3));
        assertEquals(1, broker.historyStreams());
        // a client back with offset 1 of the old stream is refused, never served the new 2..: that is another message
        assertEquals(Optional.empty(), from(1));
        // one at the old stream's last offset missed exactly what came after it
        assertEquals(List.of(3L, 4L), offsets(from(2)));
        // and a stream never seen before also starts above the forgotten one
        publish("fresh", "x");
        assertEquals(msg("fresh", "x", 3), listener.snapshot().get(4));
    }

    @Test
    void lateExpiryForgetsAQuietStreamAtOnce() {
        publishN(S, 3);
        clock.set(T0 + 100 * TTL);
        assertEquals(Long.MAX_VALUE, broker.expire());
        assertEquals(0, broker.historyStreams());
    }

    // ---- attach ----------------------------------------------------------------------------------------

    @Test
    void attachRunsTheSubscriptionOnceAndReturnsTheLatestOffset() {
        AtomicInteger runs = new AtomicInteger();
        assertEquals(0, broker.attach(S, offset -> runs.incrementAndGet()));
        assertEquals(1, runs.get());

        publishN(S, 3);
        assertEquals(3, broker.attach(S, offset -> runs.incrementAndGet()));
        assertEquals(2, runs.get());
        assertEquals(0, broker.attach("fresh", offset -> runs.incrementAndGet()));
        assertEquals(3, runs.get());
    }

    @Test
    void subscribingAloneKeepsNoHistory() {
        for (int i = 0; i < 1000; i++) {
            assertEquals(0, broker.attach("nobody-publishes-" + i, offset -> { }));
        }
        assertEquals(0, broker.historyStreams(), "a subscription to a stream nobody publishes to keeps nothing");
        assertEquals(List.of(), wakeups, "nor arms an expiry");
        assertEquals(Optional.empty(), from(0));

        publish(S, "first");
        assertEquals(1, broker.attach(S, offset -> { }));
        assertEquals(1, broker.historyStreams());
    }

    @Test
    void aFailingDeliveryKeepsTheMessageAndNeverReachesThePublisher() {
        listener.also = m -> {
            if (m.offset() == 2) {
                throw new java.util.concurrent.RejectedExecutionException("executor gone");
            }
        };
        publishN(S, 3); // returns normally
        assertEquals(List.of(1L, 2L, 3L), offsets(listener.snapshot()));
        assertEquals(List.of(1L, 2L, 3L), offsets(from(0)), "offset 2 stays in history for whoever missed it");
    }

    // ---- concurrency -----------------------------------------------------------------------------------

    @Test
    void concurrentPublishersProduceEveryOffsetOnceAndInOrder() throws Exception {
        int threads = 4;
        int each = 5_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String prefix = "t" + t + "-";
                futures.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < each; i++) {
                        publish(S, prefix + i);
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        List<StreamMessage> seen = listener.snapshot();
        assertEquals(threads * each, seen.size());
        for (int i = 0; i < seen.size(); i++) {
            assertEquals(i + 1, seen.get(i).offset(), "delivery #" + i);
        }
        // each publisher's messages keep its own order
        for (int t = 0; t < threads; t++) {
            String prefix = "t" + t + "-";
            List<String> own = seen.stream().map(StreamMessage::data).filter(d -> d.startsWith(prefix)).toList();
            assertEquals(each, own.size());
            for (int i = 0; i < each; i++) {
                assertEquals(prefix + i, own.get(i));
            }
        }
        // the history holds the newest 100 (the limit), in offset order
        List<Long> kept = offsets(broker.historySince(S, 0, Long.MAX_VALUE));
        assertEquals(100, kept.size());
        for (int i = 0; i < kept.size(); i++) {
            assertEquals(threads * each - 99 + i, kept.get(i));
        }
    }

    @Test
    void attachDuringPublishingSeesEveryLaterOffsetExactlyOnce() throws Exception {
        int total = 20_000;
        broker = broker(total);
        List<Long> subscriber = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger subscribed = new AtomicInteger();
        listener.also = m -> {
            if (subscribed.get() == 1) {
                subscriber.add(m.offset());
            }
        };
        ExecutorService pool = Executors.newSingleThreadExecutor();
        long attachedAt;
        try {
            Future<?> publisher = pool.submit(() -> publishN(S, total));
            while (listener.messages.size() < 100 && !publisher.isDone()) {
                Thread.onSpinWait();
            }
            attachedAt = broker.attach(S, offset -> subscribed.set(1));
            publisher.get(60, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        List<Long> expected = new ArrayList<>();
        for (long o = attachedAt + 1; o <= total; o++) {
            expected.add(o);
        }
        synchronized (subscriber) {
            assertEquals(expected, subscriber);
        }
        // history up to the attach offset plus the live deliveries cover every offset exactly once
        List<Long> all = new ArrayList<>(offsets(broker.historyFrom(S, broker.epoch(), 0, attachedAt)));
        all.addAll(expected);
        assertEquals(total, all.size());
        for (int i = 0; i < total; i++) {
            assertEquals(i + 1, all.get(i));
        }
    }

    // ---- a wall clock that steps back --------------------------------------------------------------------

    @Test
    void clockSteppingBackDuringAnExpiryPassDoesNotSpin() {
        AtomicInteger readsWhileStepped = new AtomicInteger(-1); // -1: the plain test clock
        long due = T0 + TTL;
        MemoryBroker b = new MemoryBroker(() -> {
            if (readsWhileStepped.get() < 0) {
                return clock.get();
            }
            int n = readsWhileStepped.incrementAndGet();
            // read 1 is the pass's now; then the clock is 1 s behind, and catches up after 1,000 reads
            return n == 1 || n > 1_000 ? due : due - 1_000;
        }, new BrokerSettings(Duration.ofSeconds(15), 100, 100, Duration.ofMillis(TTL), Duration.ofSeconds(300)),
                wakeups::add);
        b.start(listener);
        b.publish(new Publication(S, "a")); // expires at T0 + TTL
        readsWhileStepped.set(0);
        b.expire();
        assertTrue(readsWhileStepped.get() < 10, "clock read " + readsWhileStepped.get() + " times in one pass");
    }
}
