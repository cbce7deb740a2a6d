package dev.jcable.broker;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Disconnected sessions, restorable for {@code sessions_ttl} (and more than once, until they expire), holding at
 * most {@code sessions_max_size} characters together: when a newly cached session would exceed that, the oldest go
 * first. Caching order is expiry order (one lifetime for all), so the oldest are also the nearest to expiring.
 * One lock guards the cache: it is taken when a connection opens or closes, never on the delivery path.
 */
final class SessionStore {

    private final LongSupplier clock;
    private final long ttlMillis;
    private final long maxSize;
    private final Deadlines deadlines;
    private final LinkedHashMap<String, Cached> sessions = new LinkedHashMap<>();
    private long size;

    SessionStore(LongSupplier clock, long ttlMillis, long maxSize, Deadlines deadlines) {
        this.clock = clock;
        this.ttlMillis = ttlMillis;
        this.maxSize = maxSize;
        this.deadlines = deadlines;
    }

    void cache(String sid, CachedSession session) {
        long chars = session.size();
        if (ttlMillis <= 0 || chars > maxSize) {
            return; // restoring is disabled, or this one alone would not fit
        }
        long deadline = clock.getAsLong() + ttlMillis;
        synchronized (this) {
            Cached previous = sessions.remove(sid);
            if (previous != null) {
                size -= previous.size;
            }
            Iterator<Cached> oldest = sessions.values().iterator();
            while (size + chars > maxSize && oldest.hasNext()) {
                size -= oldest.next().size;
                oldest.remove();
            }
            sessions.put(sid, new Cached(session, deadline, chars));
            size += chars;
        }
        deadlines.add(deadline, Deadlines.Kind.SESSION, sid);
    }

    synchronized Optional<CachedSession> restore(String sid) {
        Cached cached = sessions.get(sid);
        if (cached == null || clock.getAsLong() >= cached.deadline) {
            return Optional.empty();
        }
        return Optional.of(cached.session);
    }

    synchronized void expire(String sid, long now) {
        Cached cached = sessions.get(sid);
        if (cached != null && now >= cached.deadline) {
            sessions.remove(sid);
            size -= cached.size;
        }
    }

    synchronized int count() {
        return sessions.size();
    }

    /** Characters held by the cached sessions together. */
    synchronized long size() {
        return size;
    }

    private record Cached(CachedSession session, long deadline, long size) {
    }
}
