package dev.jcable.broker;

import dev.jcable.protocol.PresenceEvent;
import dev.jcable.protocol.PresenceInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Who is present in which stream. Locked per stream and per session, never globally; events of one stream are
 * emitted under that stream's lock, so every observer sees them in the order the state changed.
 *
 * <p>Every change is complete, in the stream and in the session, before its event is emitted, and an event that
 * fails to go out (a listener that throws) is logged here: it can neither leave a member half-recorded nor stop a
 * loop over a session's streams half-way.
 *
 * <p>Connected sessions keep their records without any keepalive traffic. Only a disconnected session gets a
 * deadline ({@code presence_ttl}), so idle streams and connected sessions cost nothing.
 *
 * <p>A disconnected session is remembered as closed (even one that never joined) until {@link #CLOSED_GRACE_MILLIS}
 * after its TTL: a join arriving after the disconnect is refused ({@link JoinResult#SESSION_CLOSED}), never recorded
 * as a member without a deadline. A session entry leaves the map only under its own lock, and whoever locks an entry
 * checks that it is still the map's: nothing is ever recorded into an entry no disconnect can find.
 */
final class PresenceStore {

    private static final Logger LOG = Logger.getLogger(PresenceStore.class.getName());

    /**
     * How long a closed session is remembered after its TTL, so that a join still in flight when it closed is
     * refused; sids are never reused, so only a join later than this could still record (the node refuses a
     * connection's commands once its close has begun, see session.Lane).
     */
    static final long CLOSED_GRACE_MILLIS = 10_000;

    private final LongSupplier clock;
    private final long ttlMillis;
    private final int maxMembers;
    private final Deadlines deadlines;
    private final Emitter events;

    /** Receives each event with the number of members the stream has after it (0: it was the last to leave). */
    @FunctionalInterface
    interface Emitter {
        void emit(String stream, PresenceEvent event, int members);
    }

    private final ConcurrentHashMap<String, StreamPresence> streams = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, SessionPresence> sessions = new ConcurrentHashMap<>();
    /** Members of every stream, kept as they join and leave (under the stream's lock), so a scrape reads one figure. */
    private final AtomicLong members = new AtomicLong();
    /**
     * Each stream's last transition: when (clock millis) and its sequence number ({@link PresenceEvent#seq}). An entry
     * goes once its stream has no members and no transition for {@link #CHANGES_KEPT_MILLIS}; the sequence then
     * starts again at 1 (as the Redis broker's, whose key expires as long after).
     */
    private final ConcurrentHashMap<String, Change> changedAt = new ConcurrentHashMap<>();
    private final AtomicLong pruned = new AtomicLong();
    /** How long a stream's last transition time is kept: a restore later than this (sessions_ttl) is refused anyway. */
    static final long CHANGES_KEPT_MILLIS = 24 * 3600 * 1000L;

    PresenceStore(LongSupplier clock, long ttlMillis, int maxMembers, Deadlines deadlines,
                  Emitter events) {
        this.clock = clock;
        this.ttlMillis = ttlMillis;
        this.maxMembers = maxMembers;
        this.deadlines = deadlines;
        this.events = events;
    }

    JoinResult add(String stream, String sid, String pid, String info) {
        while (true) {
            SessionPresence session = sessions.computeIfAbsent(sid, k -> new SessionPresence());
            synchronized (session) {
                if (sessions.get(sid) != session) {
                    continue; // forgotten while this thread waited for its lock: a record there would be an orphan
                }
                if (session.closedAt != 0) {
                    return JoinResult.SESSION_CLOSED;
                }
                String current = session.streams.get(stream);
                if (current != null && !current.equals(pid)) {
                    return JoinResult.ID_MISMATCH;
                }
                JoinResult result = addToStream(stream, sid, pid, info, session);
                if (result == JoinResult.MEMBERS_LIMIT && session.streams.isEmpty()) {
                    sessions.remove(sid, session);
                }
                return result;
            }
        }
    }

    /** Records the member in the stream and in {@code session} (whose lock the caller holds), then emits. */
    private JoinResult addToStream(String stream, String sid, String pid, String info, SessionPresence session) {
        while (true) {
            StreamPresence presence = streams.computeIfAbsent(stream, k -> new StreamPresence());
            synchronized (presence) {
                if (presence.removed) {
                    continue; // lost a race with the removal of an empty stream: take the new one
                }
                Member member = presence.members.get(pid);
                if (member != null) {
                    member.info = info;
                    member.add(sid);
                    session.streams.put(stream, pid);
                    return JoinResult.UPDATED;
                }
                if (presence.members.size() >= maxMembers) {
                    dropIfEmpty(stream, presence);
                    return JoinResult.MEMBERS_LIMIT;
                }
                presence.members.put(pid, new Member(info, sid));
                members.incrementAndGet();
                session.streams.put(stream, pid);
                emit(stream, true, pid, info, presence.members.size());
                return JoinResult.JOINED;
            }
        }
    }

    boolean remove(String stream, String sid) {
        while (true) {
            SessionPresence session = sessions.get(sid);
            if (session == null) {
                return false;
            }
            synchronized (session) {
                if (sessions.get(sid) != session) {
                    continue;
                }
                String pid = session.streams.remove(stream);
                if (pid == null) {
                    return false;
                }
                if (session.streams.isEmpty() && session.closedAt == 0) {
                    sessions.remove(sid, session);
                }
                removeFromStream(stream, sid, pid);
                return true;
            }
        }
    }

    private void removeFromStream(String stream, String sid, String pid) {
        StreamPresence presence = streams.get(stream);
        if (presence == null) {
            return;
        }
        synchronized (presence) {
            Member member = presence.members.get(pid);
            boolean left = member != null && member.remove(sid) && member.isEmpty();
            if (left) {
                presence.members.remove(pid);
                members.decrementAndGet();
            }
            if (left) {
                // emitted while the stream is still in the map: a join racing this one waits for this lock, finds
                // the stream removed and starts a new one, so its join is emitted after this leave, never before
                emit(stream, false, pid, null, presence.members.size());
            }
            dropIfEmpty(stream, presence);
        }
    }

    private void dropIfEmpty(String stream, StreamPresence presence) {
        if (presence.members.isEmpty()) {
            presence.removed = true;
            streams.remove(stream, presence);
        }
    }

    /**
     * The session's connection closed: its records leave after the TTL, and it stays known as closed (with or
     * without records) until {@link #CLOSED_GRACE_MILLIS} later. A second call changes nothing.
     */
    void disconnected(String sid) {
        long now = clock.getAsLong();
        while (true) {
            SessionPresence session = sessions.computeIfAbsent(sid, k -> new SessionPresence());
            synchronized (session) {
                if (sessions.get(sid) != session) {
                    continue;
                }
                if (session.closedAt != 0) {
                    return;
                }
                session.closedAt = now;
                if (ttlMillis == 0) {
                    leaveAll(sid, session);
                }
            }
            deadlines.add(ttlMillis == 0 ? now + CLOSED_GRACE_MILLIS : now + ttlMillis, Deadlines.Kind.PRESENCE, sid);
            return;
        }
    }

    /**
     * A deadline of a closed session passed: after its TTL it leaves every stream it had joined; after the grace
     * that follows it is forgotten.
     */
    void expire(String sid) {
        long now = clock.getAsLong();
        SessionPresence session = sessions.get(sid);
        if (session == null) {
            return;
        }
        long forgetAt;
        synchronized (session) {
            if (sessions.get(sid) != session || session.closedAt == 0) {
                return;
            }
            if (now - session.closedAt >= ttlMillis) {
                leaveAll(sid, session);
            }
            forgetAt = session.closedAt + ttlMillis + CLOSED_GRACE_MILLIS;
            if (now >= forgetAt) {
                sessions.remove(sid, session);
                return;
            }
        }
        deadlines.add(forgetAt, Deadlines.Kind.PRESENCE, sid);
    }

    /** The session leaves every stream it joined; the caller holds its lock. */
    private void leaveAll(String sid, SessionPresence session) {
        Map<String, String> joined = new HashMap<>(session.streams);
        session.streams.clear();
        joined.forEach((stream, pid) -> removeFromStream(stream, sid, pid));
    }

    /**
     * The members and the sequence number of the last transition they include, as one state: read under the stream's
     * lock (under which each transition changes the set and takes its number). A stream without members has no lock
     * to take: its number is read on both sides of seeing it absent, and only when the two agree (no transition in
     * between, so it was empty with that number at that moment).
     */
    PresenceInfo info(String stream) {
        while (true) {
            long before = seq(stream);
            StreamPresence presence = streams.get(stream);
            if (presence == null) {
                if (seq(stream) == before) {
                    return before == 0 ? PresenceInfo.EMPTY : new PresenceInfo(0, List.of(), before);
                }
                continue;
            }
            synchronized (presence) {
                if (presence.removed) {
                    continue; // emptied meanwhile: a join may already count on in a new one
                }
                List<PresenceInfo.Record> records = new ArrayList<>(presence.members.size());
                presence.members.forEach((id, member) -> records.add(new PresenceInfo.Record(id, member.info)));
                return new PresenceInfo(records.size(), List.copyOf(records), seq(stream));
            }
        }
    }

    private long seq(String stream) {
        Change change = changedAt.get(stream);
        return change == null ? 0 : change.seq();
    }

    /** The number of members of {@code stream}: one map's size, under the stream's lock. */
    int count(String stream) {
        StreamPresence presence = streams.get(stream);
        if (presence == null) {
            return 0;
        }
        synchronized (presence) {
            return presence.members.size();
        }
    }

    /** The streams with at least one member whose names start with {@code prefix}, sorted. */
    java.util.Set<String> streams(String prefix) {
        return StreamNames.startingWith(streams.keySet(), prefix);
    }

    /** Streams with at least one member. */
    int streamCount() {
        return streams.size();
    }

    /** Members of every stream: one read, kept current by every join and leave. */
    long memberCount() {
        return members.get();
    }

    /** How many sessions are known: connected ones holding records, and closed ones within their TTL and grace. */
    int sessions() {
        return sessions.size();
    }

    /** Called with the stream's lock held and its state already changed; a listener's failure stays here. */
    /** The streams of {@code candidates} with a transition at or after {@code since} (clock millis). */
    java.util.Set<String> changedSince(java.util.Collection<String> candidates, long since) {
        java.util.Set<String> changed = new java.util.HashSet<>();
        for (String stream : candidates) {
            Change change = changedAt.get(stream);
            if (change != null && change.at() >= since) {
                changed.add(stream);
            }
        }
        return changed;
    }

    /** Numbers the transition (under the stream's lock: in the order the state changed), then emits it. */
    private void emit(String stream, boolean join, String pid, String info, int members) {
        long now = clock.getAsLong();
        long seq = changedAt.merge(stream, new Change(now, 1), (old, first) -> new Change(now, old.seq() + 1)).seq();
        PresenceEvent event = join ? PresenceEvent.join(pid, info, seq) : PresenceEvent.leave(pid, seq);
        long last = pruned.get();
        if (now - last > CHANGES_KEPT_MILLIS / 24 && pruned.compareAndSet(last, now)) {
            // at most hourly: O(streams); removeIf removes an entry only if it is unchanged meanwhile
            changedAt.entrySet().removeIf(e -> now - e.getValue().at() > CHANGES_KEPT_MILLIS
                    && !streams.containsKey(e.getKey()));
        }
        try {
            events.emit(stream, event, members);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "jcable: presence event " + (event.join() ? "join" : "leave") + " of stream "
                    + stream + " could not be delivered; presence itself is up to date", e);
        }
    }

    private record Change(long at, long seq) {
    }

    /** One stream's members, in join order. Guarded by its own monitor. */
    private static final class StreamPresence {
        final Map<String, Member> members = new LinkedHashMap<>(4); // grows; a node may hold one stream per connection
        boolean removed;
    }

    /** One presence id: its latest info and the sessions holding it (usually one; one per tab). */
    private static final class Member {
        String info;
        private Object sessions; // a String for the common single-session case, else a List<String>

        Member(String info, String sid) {
            this.info = info;
            this.sessions = sid;
        }

        @SuppressWarnings("unchecked")
        void add(String sid) {
            if (sessions instanceof String single) {
                if (!single.equals(sid)) {
                    List<String> list = new ArrayList<>(2);
                    list.add(single);
                    list.add(sid);
                    sessions = list;
                }
            } else if (!((List<String>) sessions).contains(sid)) {
                ((List<String>) sessions).add(sid);
            }
        }

        /** @return whether {@code sid} held this id */
        @SuppressWarnings("unchecked")
        boolean remove(String sid) {
            if (sessions instanceof String single) {
                if (single.equals(sid)) {
                    sessions = new ArrayList<String>(1);
                    return true;
                }
                return false;
            }
            return ((List<String>) sessions).remove(sid);
        }

        @SuppressWarnings("unchecked")
        boolean isEmpty() {
            return !(sessions instanceof String) && ((List<String>) sessions).isEmpty();
        }
    }

    /** The streams a session joined (stream → presence id) and, once disconnected, when. Own monitor. */
    private static final class SessionPresence {
        final Map<String, String> streams = new HashMap<>(4);
        long closedAt; // 0 while connected
    }
}
