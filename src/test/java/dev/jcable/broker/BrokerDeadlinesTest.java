package dev.jcable.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.broker.Publication;
import dev.jcable.protocol.PresenceEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The memory broker's single deadline queue shared by presence, history and cached sessions. */
class BrokerDeadlinesTest {

    static final long T0 = 1_700_000_000_500L;
    static final long PRESENCE_TTL = 15_000L;
    static final long HISTORY_TTL = 60_000L;
    static final long SESSIONS_TTL = 300_000L;
    static final String S = "room";

    final AtomicLong clock = new AtomicLong(T0);
    final List<Long> wakeups = new CopyOnWriteArrayList<>();
    final List<PresenceEvent> events = Collections.synchronizedList(new ArrayList<>());
    MemoryBroker broker;

    @BeforeEach
    void start() {
        broker = new MemoryBroker(clock::get, new BrokerSettings(Duration.ofMillis(PRESENCE_TTL), 100, 100,
                Duration.ofMillis(HISTORY_TTL), Duration.ofMillis(SESSIONS_TTL)), wakeups::add);
        broker.start(new BrokerListener() {
            @Override
            public void deliver(StreamMessage message) {
            }

            @Override
            public void presence(String stream, PresenceEvent event) {
                events.add(event);
            }
        });
        // one of each kind, all at T0
        broker.presenceAdd(S, "s1", "u1", null);
        broker.presenceDisconnected("s1");
        broker.publish(new Publication(S, "hello"));
        broker.cacheSession("s1", new CachedSession("{}", Map.of()));
    }

    @Test
    void wakeupHearsEveryDeadline() {
        assertEquals(Set.of(T0 + PRESENCE_TTL, T0 + HISTORY_TTL, T0 + SESSIONS_TTL), new HashSet<>(wakeups));
        assertEquals(T0 + PRESENCE_TTL, wakeups.get(0));
        assertEquals(T0 + SESSIONS_TTL, wakeups.get(wakeups.size() - 1));
    }

    @Test
    void expireWorksOffOnlyWhatIsDueAndReturnsTheEarliestPending() {
        assertEquals(T0 + PRESENCE_TTL, broker.expire());
        clock.set(T0 + PRESENCE_TTL - 1);
        assertEquals(T0 + PRESENCE_TTL, broker.expire());
        assertEquals(List.of(PresenceEvent.join("u1", null, 1)), List.copyOf(events));

        clock.set(T0 + PRESENCE_TTL);
        assertEquals(T0 + PRESENCE_TTL + PresenceStore.CLOSED_GRACE_MILLIS, broker.expire());
        assertEquals(List.of(PresenceEvent.join("u1", null, 1), PresenceEvent.leave("u1", 2)), List.copyOf(events));
        assertEquals(1, broker.presenceSessions()); // remembered as closed: a late join is refused

        clock.set(T0 + PRESENCE_TTL + PresenceStore.CLOSED_GRACE_MILLIS);
        assertEquals(T0 + HISTORY_TTL, broker.expire());
        assertEquals(0, broker.presenceSessions());
        assertEquals(1, broker.historySince(S, 0, Long.MAX_VALUE).size());
        assertEquals(1, broker.cachedSessions());

        clock.set(T0 + HISTORY_TTL);
        assertEquals(T0 + SESSIONS_TTL, broker.expire()); // the stream's own keep-until (T0 + 10 × ttl) is later
        assertEquals(List.of(), broker.historySince(S, 0, Long.MAX_VALUE));
        assertEquals(1, broker.historyStreams());
        assertEquals(1, broker.cachedSessions());
        assertTrue(wakeups.contains(T0 + 10 * HISTORY_TTL));

        clock.set(T0 + SESSIONS_TTL);
        assertEquals(T0 + 10 * HISTORY_TTL, broker.expire());
        assertEquals(0, broker.cachedSessions());
        assertEquals(1, broker.historyStreams());

        clock.set(T0 + 10 * HISTORY_TTL);
        assertEquals(Long.MAX_VALUE, broker.expire());
        assertEquals(0, broker.historyStreams());
        assertEquals(2, events.size());
    }

    @Test
    void oneLateExpireWorksOffEverything() {
        clock.set(T0 + 100 * HISTORY_TTL);
        assertEquals(Long.MAX_VALUE, broker.expire());
        assertEquals(0, broker.presenceSessions());
        assertEquals(0, broker.historyStreams());
        assertEquals(0, broker.cachedSessions());
        assertEquals(List.of(PresenceEvent.join("u1", null, 1), PresenceEvent.leave("u1", 2)), List.copyOf(events));
    }

    @Test
    void stopDropsEveryPendingDeadline() {
        broker.stop();
        clock.set(T0 + 100 * HISTORY_TTL);
        assertEquals(Long.MAX_VALUE, broker.expire());
        assertEquals(1, broker.cachedSessions());
        assertEquals(1, broker.historyStreams());
    }

    @Test
    void deadlinesComeOutInTimeOrderWhateverTheKind() {
        List<Long> seen = new ArrayList<>();
        Deadlines deadlines = new Deadlines(seen::add);
        deadlines.add(30, Deadlines.Kind.SESSION, "c");
        deadlines.add(10, Deadlines.Kind.HISTORY, "a");
        deadlines.add(20, Deadlines.Kind.PRESENCE, "b");
        assertEquals(List.of(30L, 10L, 20L), seen);
        assertEquals(10, deadlines.next());
        assertSame(null, deadlines.poll(9));
        assertEquals(new Deadlines.Due(10, Deadlines.Kind.HISTORY, "a"), deadlines.poll(25));
        assertEquals(new Deadlines.Due(20, Deadlines.Kind.PRESENCE, "b"), deadlines.poll(25));
        assertSame(null, deadlines.poll(25));
        assertEquals(30, deadlines.next());
        assertEquals(new Deadlines.Due(30, Deadlines.Kind.SESSION, "c"), deadlines.poll(30));
        assertEquals(Long.MAX_VALUE, deadlines.next());
    }
}
