package dev.jcable.broker;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/** Disconnected sessions, restorable for {@code sessions_ttl} (and more than once, until they expire). */
final class SessionStore {

    private final LongSupplier clock;
    private final long ttlMillis;
    private final Deadlines deadlines;
    private final ConcurrentHashMap<String, Cached> sessions = new ConcurrentHashMap<>();

    SessionStore(LongSupplier clock, long ttlMillis, Deadlines deadlines) {
        this.clock = clock;
        this.ttlMillis = ttlMillis;
        this.deadlines = deadlines;
    }

    void cache(String sid, CachedSession session) {
        if (ttlMillis <= 0) {
            return; // restoring is disabled
        }
        long deadline = clock.getAsLong() + ttlMillis;
        sessions.put(sid, new Cached(session, deadline));
        deadlines.add(deadline, Deadlines.Kind.SESSION, sid);
    }

    Optional<CachedSession> restore(String sid) {
        Cached cached = sessions.get(sid);
        if (cached == null || clock.getAsLong() >= cached.deadline) {
            return Optional.empty();
        }
        return Optional.of(cached.session);
    }

    void expire(String sid, long now) {
        sessions.computeIfPresent(sid, (k, cached) -> now >= cached.deadline ? null : cached);
    }

    int size() {
        return sessions.size();
    }

    private record Cached(CachedSession session, long deadline) {
    }
}
