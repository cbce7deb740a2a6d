package dev.jcable.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.protocol.PresenceEvent;
import dev.jcable.streams.StreamSpec;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Restorable sessions in the memory broker (protocol doc, section 5.4), on a clock the test moves. */
class SessionStoreTest {

    static final long T0 = 1_700_000_000_500L;
    static final long SESSIONS_TTL = 300_000L;
    static final String IDS = "{\"user_id\":42}";
    static final String ID_A = "{\"channel\":\"$pubsub\",\"stream_name\":\"a\"}";
    static final String ID_B = "{\"channel\":\"$pubsub\",\"signed_stream_name\":\"x--y\"}";
    static final String ID_C = "{\"channel\":\"Turbo::StreamsChannel\",\"signed_stream_name\":\"z--w\"}";

    final AtomicLong clock = new AtomicLong(T0);
    final List<Long> wakeups = new CopyOnWriteArrayList<>();

    MemoryBroker broker(long sessionsTtlMillis) {
        return broker(sessionsTtlMillis, Long.MAX_VALUE);
    }

    MemoryBroker broker(long sessionsTtlMillis, long maxSize) {
        MemoryBroker b = new MemoryBroker(clock::get, new BrokerSettings(Duration.ofSeconds(15), 100, 100,
                Duration.ofSeconds(300), Duration.ofMillis(sessionsTtlMillis), maxSize), wakeups::add);
        b.start(new BrokerListener() {
            @Override
            public void deliver(StreamMessage message) {
            }

            @Override
            public void presence(String stream, PresenceEvent event) {
            }
        });
        return b;
    }

    static CachedSession session() {
        Map<String, StreamSpec> subscriptions = new LinkedHashMap<>();
        subscriptions.put(ID_C, new StreamSpec("turbo:1", false, false));
        subscriptions.put(ID_A, new StreamSpec("a", true, true));
        subscriptions.put(ID_B, new StreamSpec("chat:2021", true, false));
        return new CachedSession(IDS, subscriptions);
    }

    @Test
    void roundTripKeepsIdentifiersAndSubscriptionsInOrder() {
        MemoryBroker broker = broker(SESSIONS_TTL);
        broker.cacheSession("sid-1", session());
        CachedSession restored = broker.restoreSession("sid-1").orElseThrow();
        assertEquals(IDS, restored.identifiers());
        assertEquals(List.of(ID_C, ID_A, ID_B), List.copyOf(restored.subscriptions().keySet()));
        assertEquals(List.of(new StreamSpec("turbo:1", false, false), new StreamSpec("a", true, true),
                new StreamSpec("chat:2021", true, false)), List.copyOf(restored.subscriptions().values()));
        assertEquals(session(), restored);
        assertEquals(1, broker.cachedSessions());
    }

    @Test
    void unknownSessionIsNotRestored() {
        MemoryBroker broker = broker(SESSIONS_TTL);
        broker.cacheSession("sid-1", session());
        assertEquals(Optional.empty(), broker.restoreSession("sid-2"));
    }

    @Test
    void sessionIsRestorableMoreThanOnce() {
        MemoryBroker broker = broker(SESSIONS_TTL);
        broker.cacheSession("sid-1", session());
        assertEquals(Optional.of(session()), broker.restoreSession("sid-1"));
        clock.addAndGet(1_000);
        assertEquals(Optional.of(session()), broker.restoreSession("sid-1"));
        assertEquals(1, broker.cachedSessions());
    }

    @Test
    void sessionExpiresAfterTheTtl() {
        MemoryBroker broker = broker(SESSIONS_TTL);
        broker.cacheSession("sid-1", session());
        assertEquals(List.of(T0 + SESSIONS_TTL), wakeups);

        clock.set(T0 + SESSIONS_TTL - 1);
        assertTrue(broker.restoreSession("sid-1").isPresent());
        assertEquals(T0 + SESSIONS_TTL, broker.expire());
        assertEquals(1, broker.cachedSessions());

        clock.set(T0 + SESSIONS_TTL);
        assertEquals(Optional.empty(), broker.restoreSession("sid-1")); // even before expire() runs
        assertEquals(1, broker.cachedSessions());
        assertEquals(Long.MAX_VALUE, broker.expire());
        assertEquals(0, broker.cachedSessions());
        assertEquals(Optional.empty(), broker.restoreSession("sid-1"));
    }

    @Test
    void cachingAgainExtendsTheLifetime() {
        MemoryBroker broker = broker(SESSIONS_TTL);
        broker.cacheSession("sid-1", session());
        clock.set(T0 + 100_000);
        CachedSession later = new CachedSession("{\"user_id\":43}", Map.of());
        broker.cacheSession("sid-1", later);
        assertEquals(List.of(T0 + SESSIONS_TTL, T0 + 100_000 + SESSIONS_TTL), wakeups);

        clock.set(T0 + SESSIONS_TTL);
        assertEquals(T0 + 100_000 + SESSIONS_TTL, broker.expire());
        assertEquals(Optional.of(later), broker.restoreSession("sid-1"));
        assertEquals(1, broker.cachedSessions());

        clock.set(T0 + 100_000 + SESSIONS_TTL);
        assertEquals(Long.MAX_VALUE, broker.expire());
        assertEquals(0, broker.cachedSessions());
    }

    @Test
    void zeroTtlCachesNothing() {
        MemoryBroker broker = broker(0);
        broker.cacheSession("sid-1", session());
        assertEquals(Optional.empty(), broker.restoreSession("sid-1"));
        assertEquals(0, broker.cachedSessions());
        assertEquals(List.of(), wakeups);
        assertEquals(Long.MAX_VALUE, broker.expire());
    }

    @Test
    void cachedSubscriptionsAreACopy() {
        Map<String, StreamSpec> subscriptions = new LinkedHashMap<>();
        subscriptions.put(ID_A, new StreamSpec("a", true, true));
        CachedSession cached = new CachedSession(IDS, subscriptions);
        subscriptions.put(ID_B, new StreamSpec("b", false, false));
        assertEquals(List.of(ID_A), List.copyOf(cached.subscriptions().keySet()));
        assertThrows(UnsupportedOperationException.class,
                () -> cached.subscriptions().put(ID_C, new StreamSpec("c", false, false)));
    }

    @Test
    void theCacheHoldsAtMostItsSizeAndDropsTheOldestFirst() {
        long one = session().size();
        assertEquals(IDS.length() + ID_C.length() + "turbo:1".length() + ID_A.length() + "a".length()
                + ID_B.length() + "chat:2021".length(), one);
        MemoryBroker broker = broker(SESSIONS_TTL, 3 * one);
        for (int i = 1; i <= 1000; i++) {
            clock.addAndGet(1);
            broker.cacheSession("sid-" + i, session());
            assertTrue(broker.cachedSessionsSize() <= 3 * one, "bounded after " + i);
        }
        assertEquals(3, broker.cachedSessions());
        assertEquals(3 * one, broker.cachedSessionsSize());
        assertEquals(Optional.empty(), broker.restoreSession("sid-997"));
        assertTrue(broker.restoreSession("sid-998").isPresent());
        assertTrue(broker.restoreSession("sid-1000").isPresent());

        clock.addAndGet(SESSIONS_TTL);
        broker.expire();
        assertEquals(0, broker.cachedSessions());
        assertEquals(0, broker.cachedSessionsSize(), "expiry gives the room back");
    }

    @Test
    void aSessionLargerThanTheWholeCacheIsNotCachedAndEvictsNothing() {
        MemoryBroker broker = broker(SESSIONS_TTL, session().size() + 10);
        broker.cacheSession("small", new CachedSession(IDS, Map.of()));
        Map<String, StreamSpec> many = new LinkedHashMap<>();
        for (int i = 0; i < 50; i++) {
            many.put("{\"channel\":\"$pubsub\",\"stream_name\":\"s" + i + "\"}", new StreamSpec("s" + i, true, true));
        }
        broker.cacheSession("huge", new CachedSession(IDS, many));
        assertEquals(Optional.empty(), broker.restoreSession("huge"));
        assertTrue(broker.restoreSession("small").isPresent());
    }
}
