package dev.jcable.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.broker.Publication;
import dev.jcable.protocol.PresenceEvent;
import dev.jcable.protocol.PresenceInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Presence in the memory broker (protocol doc, section 6.2), on a clock the test moves. */
class MemoryBrokerTest {

    static final long T0 = 1_000_000L;
    static final long TTL = 15_000L;
    static final String S = "chat:2021";

    /** One event as the listener saw it. */
    record Seen(String stream, PresenceEvent event) {
    }

    static final class RecordingListener implements BrokerListener {
        final List<Seen> events = Collections.synchronizedList(new ArrayList<>());
        final List<StreamMessage> deliveries = new CopyOnWriteArrayList<>();
        final List<String> occupancy = new CopyOnWriteArrayList<>();

        @Override
        public void occupancyChanged(String stream, boolean occupied) {
            occupancy.add((occupied ? "occupied " : "vacated ") + stream);
        }

        @Override
        public void deliver(StreamMessage message) {
            deliveries.add(message);
        }

        /** Each stream's last sequence number seen; any event that is not the next one is a mistake, kept here. */
        final java.util.Map<String, Long> seqs = new java.util.HashMap<>();
        final List<String> sequenceErrors = new CopyOnWriteArrayList<>();

        /** Checks the event's sequence number (the stream's next: no gap, no repeat), then keeps it without it. */
        @Override
        public void presence(String stream, PresenceEvent event) {
            synchronized (seqs) {
                long expected = seqs.merge(stream, 1L, Long::sum);
                if (event.seq() != expected) {
                    sequenceErrors.add(stream + ": " + event + " where seq " + expected + " was next");
                }
            }
            events.add(new Seen(stream, new PresenceEvent(event.join(), event.id(), event.info(), 0)));
        }
    }

    final AtomicLong clock = new AtomicLong(T0);
    final List<Long> wakeups = new CopyOnWriteArrayList<>();
    final RecordingListener listener = new RecordingListener();
    MemoryBroker broker;

    @BeforeEach
    void start() {
        broker = broker(TTL, 10_000);
    }

    /** Every test's events came numbered 1, 2, 3… per stream, in the order they were emitted. */
    @org.junit.jupiter.api.AfterEach
    void eachStreamsTransitionsAreNumberedWithoutGaps() {
        assertEquals(List.of(), listener.sequenceErrors);
    }

    MemoryBroker broker(long ttlMillis, int maxMembers) {
        MemoryBroker b = new MemoryBroker(clock::get, new BrokerSettings(Duration.ofMillis(ttlMillis), maxMembers, 100,
                Duration.ofSeconds(300), Duration.ofSeconds(300)), wakeups::add);
        b.start(listener);
        return b;
    }

    static Seen join(String pid, String info) {
        return new Seen(S, PresenceEvent.join(pid, info));
    }

    static Seen leave(String pid) {
        return new Seen(S, PresenceEvent.leave(pid));
    }

    /** The members of S, numbered as its last transition emitted so far (the info must carry it: issue 20). */
    PresenceInfo info(String... idInfoPairs) {
        List<PresenceInfo.Record> records = new ArrayList<>();
        for (int i = 0; i < idInfoPairs.length; i += 2) {
            records.add(new PresenceInfo.Record(idInfoPairs[i], idInfoPairs[i + 1]));
        }
        return new PresenceInfo(records.size(), records, seq(S));
    }

    /** A stream without members, numbered as its last transition emitted so far ({@link PresenceInfo#EMPTY} if none). */
    PresenceInfo none(String stream) {
        return new PresenceInfo(0, List.of(), seq(stream));
    }

    long seq(String stream) {
        synchronized (listener.seqs) {
            return listener.seqs.getOrDefault(stream, 0L);
        }
    }

    List<Seen> events() {
        return List.copyOf(listener.events);
    }

    // ---- occupancy -----------------------------------------------------------------------------------

    @Test
    void aStreamIsOccupiedByItsFirstSubscriberAndVacatedByItsLast() {
        broker.attach("news", offset -> { });
        broker.attach("news", offset -> { });
        broker.attach("private-x", offset -> { });
        assertEquals(java.util.Set.of("news"), broker.occupiedStreams("ne"));
        assertEquals(java.util.Set.of("news", "private-x"), broker.occupiedStreams(""));
        assertEquals(2, broker.subscriptions("news"));
        broker.detach("news");
        assertEquals(1, broker.subscriptions("news"));
        assertEquals(List.of("occupied news", "occupied private-x"), listener.occupancy);
        assertTrue(broker.occupied("news"));
        broker.detach("news");
        broker.detach("news"); // one detach too many (never happens) changes nothing
        assertEquals(List.of("occupied news", "occupied private-x", "vacated news"), listener.occupancy);
        assertEquals(java.util.Set.of("private-x"), broker.occupiedStreams(""));
        assertFalse(broker.occupied("news"));
    }

    @Test
    void presenceStreamsAreThoseWithMembersByPrefix() {
        broker.presenceAdd("presence-a", "s1", "u1", null);
        broker.presenceAdd("presence-b", "s2", "u2", null);
        broker.presenceAdd("other", "s3", "u3", null);
        assertEquals(java.util.Set.of("presence-a", "presence-b"), broker.presenceStreams("presence-"));
        broker.presenceRemove("presence-a", "s1");
        assertEquals(java.util.Set.of("presence-b"), broker.presenceStreams("presence-"));
    }

    // ---- join / leave ------------------------------------------------------------------------------

    @Test
    void publishGoesToTheListener() {
        Publication p = new Publication(S, "{\"a\":1}", "sid-x");
        broker.publish(p);
        assertEquals(List.of(new StreamMessage(S, "{\"a\":1}", "sid-x", broker.epoch(), 1)), listener.deliveries);
    }

    @Test
    void joinEmitsOneJoinWithInfo() {
        assertEquals(JoinResult.JOINED, broker.presenceAdd(S, "s1", "u1", "{\"name\":\"Vova\"}"));
        assertEquals(List.of(join("u1", "{\"name\":\"Vova\"}")), events());
        assertEquals(info("u1", "{\"name\":\"Vova\"}"), broker.presenceInfo(S));
    }

    /**
     * Issue 20: each stream's transitions are numbered 1, 2, 3… in the order they happened, also when threads race on
     * one stream and a stream empties and fills again (checked for every event by the listener, see
     * {@link #eachStreamsTransitionsAreNumberedWithoutGaps}); a stream that empties keeps counting.
     */
    @Test
    void racingTransitionsOfAStreamAreNumberedInTheOrderTheyHappened() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                String name = "t" + t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 500; i++) {
                        broker.presenceAdd(S, name + i, name + "-" + i, null);
                        broker.presenceRemove(S, name + i);
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(4 * 500 * 2, events().size());
        broker.presenceAdd("other", "x", "x", null);
        broker.presenceAdd(S, "y", "y", null);
        assertEquals(List.of(1L, 4001L), List.of(listener.seqs.get("other"), listener.seqs.get(S)),
                "per stream; an emptied stream goes on counting");
    }

    @Test
    void countIsTheNumberOfDistinctIdsWithoutTheList() {
        assertEquals(0, broker.presenceCount(S), "nobody joined");
        broker.presenceAdd(S, "s1", "u1", null);
        broker.presenceAdd(S, "s2", "u1", null); // the same id from a second tab
        broker.presenceAdd(S, "s3", "u2", null);
        broker.presenceAdd("other", "s4", "u3", null);
        assertEquals(2, broker.presenceCount(S));
        assertEquals(1, broker.presenceCount("other"));
        broker.presenceRemove(S, "s1");
        assertEquals(2, broker.presenceCount(S), "u1 is still held by s2");
        broker.presenceRemove(S, "s2");
        assertEquals(1, broker.presenceCount(S));
        broker.presenceRemove(S, "s3");
        assertEquals(0, broker.presenceCount(S));
    }

    @Test
    void samePidFromAnotherSessionUpdatesSilently() {
        broker.presenceAdd(S, "s1", "u1", "\"old\"");
        assertEquals(JoinResult.UPDATED, broker.presenceAdd(S, "s2", "u1", "\"new\""));
        assertEquals(List.of(join("u1", "\"old\"")), events());
        assertEquals(info("u1", "\"new\""), broker.presenceInfo(S));
    }

    @Test
    void sameSessionRejoinUpdatesSilently() {
        broker.presenceAdd(S, "s1", "u1", "\"old\"");
        assertEquals(JoinResult.UPDATED, broker.presenceAdd(S, "s1", "u1", "\"new\""));
        assertEquals(1, events().size());
        assertEquals(info("u1", "\"new\""), broker.presenceInfo(S));
        // still one session holding u1: one leave removes it
        assertTrue(broker.presenceRemove(S, "s1"));
        assertEquals(leave("u1"), events().get(1));
    }

    @Test
    void sameSessionWithAnotherPidIsAMismatch() {
        broker.presenceAdd(S, "s1", "u1", "\"a\"");
        assertEquals(JoinResult.ID_MISMATCH, broker.presenceAdd(S, "s1", "u2", "\"b\""));
        assertEquals(1, events().size());
        assertEquals(info("u1", "\"a\""), broker.presenceInfo(S));
    }

    @Test
    void sameSessionMayUseAnotherPidOnAnotherStream() {
        broker.presenceAdd(S, "s1", "u1", null);
        assertEquals(JoinResult.JOINED, broker.presenceAdd("other", "s1", "u2", null));
        assertEquals(List.of(join("u1", null), new Seen("other", PresenceEvent.join("u2", null))), events());
    }

    @Test
    void leaveEmitsOnlyWhenTheLastSessionLeaves() {
        broker.presenceAdd(S, "s1", "u1", null);
        broker.presenceAdd(S, "s2", "u1", null);
        assertTrue(broker.presenceRemove(S, "s1"));
        assertEquals(List.of(join("u1", null)), events());
        assertEquals(info("u1", null), broker.presenceInfo(S));
        assertTrue(broker.presenceRemove(S, "s2"));
        assertEquals(List.of(join("u1", null), leave("u1")), events());
        assertEquals(none(S), broker.presenceInfo(S));
    }

    @Test
    void removingWhatWasNeverJoinedDoesNothing() {
        assertFalse(broker.presenceRemove(S, "nobody"));
        broker.presenceAdd(S, "s1", "u1", null);
        assertFalse(broker.presenceRemove("other", "s1"));
        assertTrue(broker.presenceRemove(S, "s1"));
        assertFalse(broker.presenceRemove(S, "s1"));
        assertEquals(List.of(join("u1", null), leave("u1")), events());
    }

    @Test
    void infoListsRecordsInJoinOrderAndCountsUniqueIds() {
        broker.presenceAdd(S, "s1", "u1", "1");
        broker.presenceAdd(S, "s2", "u2", "2");
        broker.presenceAdd(S, "s3", "u3", "3");
        broker.presenceAdd(S, "s4", "u2", "22");
        broker.presenceAdd(S, "s1", "u1", "11");
        assertEquals(info("u1", "11", "u2", "22", "u3", "3"), broker.presenceInfo(S));
    }

    @Test
    void unknownStreamHasEmptyInfo() {
        assertSame(PresenceInfo.EMPTY, broker.presenceInfo("nothing-here"));
    }

    @Test
    void membersLimitRefusesNewIdsOnly() {
        broker = broker(TTL, 2);
        assertEquals(JoinResult.JOINED, broker.presenceAdd(S, "s1", "u1", null));
        assertEquals(JoinResult.JOINED, broker.presenceAdd(S, "s2", "u2", null));
        assertEquals(JoinResult.MEMBERS_LIMIT, broker.presenceAdd(S, "s3", "u3", null));
        assertEquals(JoinResult.UPDATED, broker.presenceAdd(S, "s4", "u1", "\"tab2\""));
        assertEquals(List.of(join("u1", null), join("u2", null)), events());
        assertEquals(info("u1", "\"tab2\"", "u2", null), broker.presenceInfo(S));
        assertEquals(3, broker.presenceSessions()); // s3 holds nothing
        assertFalse(broker.presenceRemove(S, "s3"));
    }

    // ---- disconnect and expiry ---------------------------------------------------------------------

    @Test
    void disconnectKeepsTheRecordAndArmsTheWakeup() {
        broker.presenceAdd(S, "s1", "u1", null);
        broker.presenceDisconnected("s1");
        assertEquals(List.of(T0 + TTL), wakeups);
        assertEquals(List.of(join("u1", null)), events());
        assertEquals(info("u1", null), broker.presenceInfo(S));
        assertEquals(1, broker.presenceSessions());
    }

    @Test
    void disconnectWithoutPresenceIsRememberedUntilTheGraceAfterTheTtl() {
        broker.presenceDisconnected("never-joined");
        assertEquals(List.of(T0 + TTL), wakeups);
        clock.set(T0 + TTL);
        assertEquals(T0 + TTL + PresenceStore.CLOSED_GRACE_MILLIS, broker.expire());
        assertEquals(1, broker.presenceSessions());
        clock.set(T0 + TTL + PresenceStore.CLOSED_GRACE_MILLIS);
        assertEquals(Long.MAX_VALUE, broker.expire());
        assertEquals(0, broker.presenceSessions());
    }

    /** The repro: a join after the disconnect of a session that held nothing became a member for good. */
    @Test
    void aJoinAfterTheDisconnectOfASessionWithoutRecordsIsRefused() {
        broker.presenceDisconnected("s1");
        assertEquals(JoinResult.SESSION_CLOSED, broker.presenceAdd(S, "s1", "u1", "{}"));
        clock.addAndGet(10 * TTL);
        broker.expire();
        assertEquals(none(S), broker.presenceInfo(S));
        assertEquals(List.of(), events());
        assertEquals(0, broker.presenceSessions());
    }

    @Test
    void aJoinAfterTheDisconnectIsRefusedWithZeroTtlToo() {
        broker = broker(0, 10_000);
        broker.presenceDisconnected("s1");
        assertEquals(JoinResult.SESSION_CLOSED, broker.presenceAdd(S, "s1", "u1", "{}"));
        assertEquals(none(S), broker.presenceInfo(S));
    }

    @Test
    void expireBeforeTheDeadlineDoesNothing() {
        broker.presenceAdd(S, "s1", "u1", null);
        broker.presenceDisconnected("s1");
        clock.set(T0 + TTL - 1);
        assertEquals(T0 + TTL, broker.expire());
        assertEquals(1, events().size());
        assertEquals(1, broker.presenceInfo(S).total());
    }

    @Test
    void expireAfterTheTtlEmitsOneLeave() {
        broker.presenceAdd(S, "s1", "u1", null);
        broker.presenceDisconnected("s1");
        clock.set(T0 + TTL + 1);
        assertEquals(T0 + TTL + PresenceStore.CLOSED_GRACE_MILLIS, broker.expire());
        assertEquals(List.of(join("u1", null), leave("u1")), events());
        assertEquals(none(S), broker.presenceInfo(S));
        assertEquals(2, events().size());
        assertEquals(1, broker.presenceSessions()); // remembered as closed for the grace
        clock.set(T0 + TTL + PresenceStore.CLOSED_GRACE_MILLIS);
        assertEquals(Long.MAX_VALUE, broker.expire());
        assertEquals(2, events().size());
        assertEquals(0, broker.presenceSessions());
    }

    @Test
    void reconnectWithinTtlCausesNoEvents() {
        broker.presenceAdd(S, "s1", "u1", "\"first\"");
        broker.presenceDisconnected("s1");
        clock.addAndGet(5_000);
        assertEquals(JoinResult.UPDATED, broker.presenceAdd(S, "s2", "u1", "\"second\""));
        clock.addAndGet(TTL + PresenceStore.CLOSED_GRACE_MILLIS);
        assertEquals(Long.MAX_VALUE, broker.expire());
        assertEquals(List.of(join("u1", "\"first\"")), events());
        assertEquals(info("u1", "\"second\""), broker.presenceInfo(S));
        assertEquals(1, broker.presenceSessions());
        broker.presenceRemove(S, "s2");
        assertEquals(List.of(join("u1", "\"first\""), leave("u1")), events());
        assertEquals(0, broker.presenceSessions());
    }

    @Test
    void leavesComeOutInDeadlineOrder() {
        broker.presenceAdd(S, "s1", "u1", null);
        broker.presenceAdd(S, "s2", "u2", null);
        broker.presenceDisconnected("s2");
        clock.addAndGet(2_000);
        broker.presenceDisconnected("s1");
        assertEquals(List.of(T0 + TTL, T0 + 2_000 + TTL), wakeups);

        clock.set(T0 + TTL);
        assertEquals(T0 + 2_000 + TTL, broker.expire());
        assertEquals(List.of(leave("u2")), events().subList(2, events().size()));

        clock.set(T0 + 2_000 + TTL);
        assertEquals(T0 + TTL + PresenceStore.CLOSED_GRACE_MILLIS, broker.expire()); // then s2 is forgotten
        assertEquals(List.of(leave("u2"), leave("u1")), events().subList(2, events().size()));
    }

    @Test
    void oneLateExpiryEmitsAllDueLeavesInDeadlineOrder() {
        broker.presenceAdd(S, "s1", "u1", null);
        broker.presenceAdd(S, "s2", "u2", null);
        broker.presenceAdd(S, "s3", "u3", null);
        broker.presenceDisconnected("s3");
        clock.addAndGet(1);
        broker.presenceDisconnected("s1");
        clock.addAndGet(1);
        broker.presenceDisconnected("s2");
        clock.addAndGet(TTL + 60_000);
        assertEquals(Long.MAX_VALUE, broker.expire());
        assertEquals(List.of(leave("u3"), leave("u1"), leave("u2")), events().subList(3, events().size()));
    }

    @Test
    void zeroTtlLeavesImmediately() {
        broker = broker(0, 10_000);
        broker.presenceAdd(S, "s1", "u1", null);
        broker.presenceDisconnected("s1");
        assertEquals(List.of(join("u1", null), leave("u1")), events());
        assertEquals(List.of(T0 + PresenceStore.CLOSED_GRACE_MILLIS), wakeups); // to forget the closed session
        assertEquals(1, broker.presenceSessions());
    }

    @Test
    void disconnectedSessionCannotJoin() {
        broker.presenceAdd(S, "s1", "u1", null);
        broker.presenceDisconnected("s1");
        assertEquals(JoinResult.SESSION_CLOSED, broker.presenceAdd(S, "s1", "u1", "\"x\""));
        assertEquals(JoinResult.SESSION_CLOSED, broker.presenceAdd("other", "s1", "u9", null));
        assertEquals(List.of(join("u1", null)), events());
        assertEquals(none("other"), broker.presenceInfo("other"));
    }

    @Test
    void nothingLeaksOnceEverythingIsGone() {
        broker.presenceAdd(S, "s1", "u1", null);
        broker.presenceAdd("other", "s1", "u1", null);
        broker.presenceAdd(S, "s2", "u2", null);
        broker.presenceAdd(S, "s3", "u1", null);
        broker.presenceRemove(S, "s3");
        broker.presenceDisconnected("s1");
        broker.presenceDisconnected("s2");
        clock.addAndGet(TTL + PresenceStore.CLOSED_GRACE_MILLIS);
        broker.expire();
        assertEquals(0, broker.presenceSessions());
        assertEquals(none(S), broker.presenceInfo(S));
        assertEquals(none("other"), broker.presenceInfo("other"));
        long joins = events().stream().filter(e -> e.event().join()).count();
        assertEquals(joins, events().size() - joins);
    }

    @Test
    void stopDropsPendingDeadlines() {
        broker.presenceAdd(S, "s1", "u1", null);
        broker.presenceDisconnected("s1");
        broker.stop();
        clock.addAndGet(TTL * 2);
        assertEquals(Long.MAX_VALUE, broker.expire());
    }

    // ---- concurrency -------------------------------------------------------------------------------

    static final int THREADS = 4;
    static final int OPS_PER_THREAD = 10_000;
    static final int SIDS_PER_THREAD = 6;
    static final int PIDS = 5;

    /** Joins and leaves with its own sessions at random; returns sid → pid of what it still has joined. */
    Callable<Map<String, String>> worker(int thread, CountDownLatch go) {
        return () -> {
            Random random = new Random(thread);
            Map<String, String> joined = new HashMap<>();
            go.await();
            for (int i = 0; i < OPS_PER_THREAD; i++) {
                int n = random.nextInt(SIDS_PER_THREAD);
                String sid = "t" + thread + "-s" + n;
                String pid = "u" + ((thread + n) % PIDS); // pids are shared between threads
                if (joined.remove(sid) != null) {
                    assertTrue(broker.presenceRemove(S, sid));
                } else {
                    JoinResult result = broker.presenceAdd(S, sid, pid, "\"" + sid + "\"");
                    assertTrue(result == JoinResult.JOINED || result == JoinResult.UPDATED, result.name());
                    joined.put(sid, pid);
                }
                if (i % 97 == 0) {
                    broker.presenceInfo(S);
                }
            }
            return joined;
        };
    }

    @Test
    void concurrentJoinsAndLeavesStayConsistent() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        Map<String, String> stillJoined = new HashMap<>();
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Map<String, String>>> futures = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                futures.add(pool.submit(worker(t, go)));
            }
            go.countDown();
            for (Future<Map<String, String>> future : futures) {
                stillJoined.putAll(future.get(60, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        assertPresenceMatches(new HashSet<>(stillJoined.values()));
        assertEventsAlternatePerId(new HashSet<>(stillJoined.values()));
        assertEquals(stillJoined.size(), broker.presenceSessions());

        stillJoined.keySet().forEach(sid -> broker.presenceRemove(S, sid));
        assertEquals(none(S), broker.presenceInfo(S));
        assertEquals(0, broker.presenceSessions());
    }

    /**
     * The orphan race: a leave that empties a session drops its entry while a join of the same session on another
     * stream already holds that entry and waits for its lock; the join then recorded into an entry the disconnect
     * could not find, and its member never left. Two threads per session, many sessions: once every session is
     * closed and past its TTL, no member may remain in either stream and every join has its leave.
     */
    @Test
    void aJoinRacingTheLeaveThatEmptiesItsSessionIsNeverOrphaned() throws Exception {
        int rounds = 20_000;
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int i = 0; i < rounds; i++) {
                String sid = "s" + i;
                String pid = "u" + i;
                assertEquals(JoinResult.JOINED, broker.presenceAdd(S, sid, pid, null));
                CountDownLatch go = new CountDownLatch(1);
                Future<?> leave = pool.submit(() -> {
                    go.await();
                    return broker.presenceRemove(S, sid);
                });
                Future<?> join = pool.submit(() -> {
                    go.await();
                    return broker.presenceAdd("other", sid, pid, null);
                });
                go.countDown();
                leave.get(60, TimeUnit.SECONDS);
                join.get(60, TimeUnit.SECONDS);
                broker.presenceDisconnected(sid);
            }
        } finally {
            pool.shutdownNow();
        }
        clock.addAndGet(TTL + PresenceStore.CLOSED_GRACE_MILLIS);
        broker.expire();
        assertEquals(none(S), broker.presenceInfo(S));
        assertEquals(none("other"), broker.presenceInfo("other"), "a member no disconnect could find");
        assertEquals(0, broker.presenceSessions());
        long joins = events().stream().filter(e -> e.event().join()).count();
        assertEquals(joins, events().size() - joins);
    }

    // ---- a listener that throws ----------------------------------------------------------------------

    /** A listener whose fan-out fails, as when the managed executor refuses work during an undeploy. */
    static final class ThrowingListener implements BrokerListener {
        final List<Seen> attempted = new CopyOnWriteArrayList<>();

        @Override
        public void deliver(StreamMessage message) {
            throw new java.util.concurrent.RejectedExecutionException("executor shut down");
        }

        @Override
        public void presence(String stream, PresenceEvent event) {
            attempted.add(new Seen(stream, event));
            throw new java.util.concurrent.RejectedExecutionException("executor shut down");
        }
    }

    @Test
    void aThrowingListenerLeavesNoHalfRecordedMember() {
        ThrowingListener throwing = new ThrowingListener();
        broker.start(throwing);
        assertEquals(JoinResult.JOINED, broker.presenceAdd(S, "s1", "42", null));
        assertEquals(new PresenceInfo(1, List.of(new PresenceInfo.Record("42", null)), 1), broker.presenceInfo(S));
        assertTrue(broker.presenceRemove(S, "s1"), "the session knows what it joined");
        assertEquals(new PresenceInfo(0, List.of(), 2), broker.presenceInfo(S), "numbered though it failed to go out");
        assertEquals(0, broker.presenceSessions());
        assertEquals(List.of(new Seen(S, PresenceEvent.join("42", null, 1)), new Seen(S, PresenceEvent.leave("42", 2))),
                throwing.attempted);
    }

    @Test
    void aThrowingListenerDoesNotStopAnExpiryHalfWay() {
        ThrowingListener throwing = new ThrowingListener();
        broker.start(throwing);
        for (String stream : List.of("a", "b", "c", "d")) {
            assertEquals(JoinResult.JOINED, broker.presenceAdd(stream, "s1", "42", null));
        }
        broker.presenceDisconnected("s1");
        clock.addAndGet(TTL + PresenceStore.CLOSED_GRACE_MILLIS);
        broker.expire();
        for (String stream : List.of("a", "b", "c", "d")) {
            assertEquals(new PresenceInfo(0, List.of(), 2), broker.presenceInfo(stream), stream + " has no ghost");
        }
        assertEquals(0, broker.presenceSessions());
        assertEquals(8, throwing.attempted.size(), "four joins, then every leave was attempted");
    }

    @Test
    void aThrowingListenerNeverReachesThePublisher() {
        broker.start(new ThrowingListener());
        broker.publish(new Publication(S, "x")); // returns normally: the message is stored
        assertEquals(1, broker.historyFrom(S, broker.epoch(), 0, Long.MAX_VALUE).orElseThrow().size());
    }

    /**
     * Issue 20: an info is numbered as the last transition it includes, read as one state with the set. One id joins
     * and leaves over and over (odd numbers are joins: the set holds it exactly when its number is odd) while another
     * thread reads: every read must agree, whether it found the stream with its member or emptied (and gone).
     */
    @Test
    void anInfoIsNumberedAsTheLastTransitionItHoldsWhileTransitionsRaceIt() throws Exception {
        ExecutorService churn = Executors.newSingleThreadExecutor();
        try {
            Future<?> done = churn.submit(() -> {
                for (int i = 0; i < 20_000; i++) {
                    broker.presenceAdd(S, "s" + i, "42", null);
                    broker.presenceRemove(S, "s" + i);
                }
            });
            List<String> wrong = new ArrayList<>();
            long reads = 0;
            long lastSeq = 0;
            while (!done.isDone()) {
                PresenceInfo info = broker.presenceInfo(S);
                reads++;
                if (info.total() != info.seq() % 2 || info.seq() < lastSeq) {
                    wrong.add(info + " after " + lastSeq);
                }
                lastSeq = info.seq();
            }
            done.get();
            assertEquals(List.of(), wrong, reads + " reads");
            assertEquals(none(S), broker.presenceInfo(S));
            assertEquals(40_000, seq(S));
        } finally {
            churn.shutdownNow();
        }
    }

    private void assertPresenceMatches(Set<String> expectedIds) {
        PresenceInfo info = broker.presenceInfo(S);
        Set<String> ids = new HashSet<>();
        info.records().forEach(r -> ids.add(r.id()));
        assertEquals(expectedIds, ids);
        assertEquals(expectedIds.size(), info.total());
        long joins = events().stream().filter(e -> e.event().join()).count();
        long leaves = events().size() - joins;
        assertEquals(info.total(), joins - leaves);
    }

    /** Events are emitted under the stream lock: per id they must read join, leave, join, … */
    private void assertEventsAlternatePerId(Set<String> present) {
        Map<String, Boolean> last = new HashMap<>();
        for (Seen seen : events()) {
            Boolean previous = last.put(seen.event().id(), seen.event().join());
            assertTrue(previous == null ? seen.event().join() : previous != seen.event().join(),
                    "out of order: " + seen);
        }
        last.forEach((id, joined) -> assertEquals(present.contains(id), joined, id));
    }
}
