package dev.jcable.broker;

import dev.jcable.api.Publication;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The single-node broker. Presence is locked per stream and per session, never globally; events of one stream are
 * emitted under that stream's lock, so every observer sees them in the order the state changed.
 *
 * <p>Connected sessions keep their records without any keepalive traffic. Only a disconnected session gets a
 * deadline; deadlines sit in one queue and {@link #expire()} runs when the earliest is due (see
 * {@link ExpiryTimer}), so idle streams and connected sessions cost nothing.
 */
public final class MemoryBroker implements Broker {

    private static final Logger LOG = Logger.getLogger(MemoryBroker.class.getName());

    /** Arms a wake-up at an absolute time (epoch millis) when {@link #expire()} should run. */
    @FunctionalInterface
    public interface Wakeup {
        void at(long deadlineMillis);
    }

    private final LongSupplier clock;
    private final long presenceTtlMillis;
    private final int maxMembers;
    private final Wakeup wakeup;

    private final ConcurrentHashMap<String, StreamPresence> streams = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, SessionPresence> sessions = new ConcurrentHashMap<>();
    private final PriorityQueue<Deadline> deadlines = new PriorityQueue<>();
    private volatile BrokerListener listener;

    public MemoryBroker(LongSupplier clock, Duration presenceTtl, int maxMembers, Wakeup wakeup) {
        this.clock = clock;
        this.presenceTtlMillis = presenceTtl.toMillis();
        this.maxMembers = maxMembers;
        this.wakeup = wakeup;
    }

    @Override
    public void start(BrokerListener listener) {
        this.listener = listener;
    }

    @Override
    public void publish(Publication publication) {
        listener.deliver(publication);
    }

    @Override
    public JoinResult presenceAdd(String stream, String sid, String pid, String info) {
        SessionPresence session = sessions.computeIfAbsent(sid, k -> new SessionPresence());
        synchronized (session) {
            if (session.deadline != 0) {
                return JoinResult.SESSION_CLOSED;
            }
            String current = session.streams.get(stream);
            if (current != null && !current.equals(pid)) {
                return JoinResult.ID_MISMATCH;
            }
            JoinResult result = addToStream(stream, sid, pid, info);
            if (result == JoinResult.MEMBERS_LIMIT) {
                if (session.streams.isEmpty()) {
                    sessions.remove(sid, session);
                }
            } else {
                session.streams.put(stream, pid);
            }
            return result;
        }
    }

    private JoinResult addToStream(String stream, String sid, String pid, String info) {
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
                    return JoinResult.UPDATED;
                }
                if (presence.members.size() >= maxMembers) {
                    dropIfEmpty(stream, presence);
                    return JoinResult.MEMBERS_LIMIT;
                }
                presence.members.put(pid, new Member(info, sid));
                emit(stream, PresenceEvent.join(pid, info));
                return JoinResult.JOINED;
            }
        }
    }

    @Override
    public boolean presenceRemove(String stream, String sid) {
        SessionPresence session = sessions.get(sid);
        if (session == null) {
            return false;
        }
        synchronized (session) {
            String pid = session.streams.remove(stream);
            if (pid == null) {
                return false;
            }
            removeFromStream(stream, sid, pid);
            if (session.streams.isEmpty() && session.deadline == 0) {
                sessions.remove(sid, session);
            }
            return true;
        }
    }

    private void removeFromStream(String stream, String sid, String pid) {
        StreamPresence presence = streams.get(stream);
        if (presence == null) {
            return;
        }
        synchronized (presence) {
            Member member = presence.members.get(pid);
            if (member != null && member.remove(sid) && member.isEmpty()) {
                presence.members.remove(pid);
                emit(stream, PresenceEvent.leave(pid));
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

    @Override
    public void presenceDisconnected(String sid) {
        SessionPresence session = sessions.get(sid);
        if (session == null) {
            return;
        }
        long deadline = clock.getAsLong() + presenceTtlMillis;
        synchronized (session) {
            session.deadline = deadline;
        }
        if (presenceTtlMillis == 0) {
            expireSession(sid);
            return;
        }
        synchronized (deadlines) {
            deadlines.add(new Deadline(deadline, sid));
        }
        wakeup.at(deadline);
    }

    /**
     * Removes every disconnected session whose TTL has passed, emitting {@code leave} for ids nobody holds any more.
     *
     * @return the next deadline (epoch millis), or {@link Long#MAX_VALUE} when none is pending
     */
    public long expire() {
        long now = clock.getAsLong();
        while (true) {
            Deadline due;
            synchronized (deadlines) {
                Deadline next = deadlines.peek();
                if (next == null) {
                    return Long.MAX_VALUE;
                }
                if (next.at > now) {
                    return next.at;
                }
                due = deadlines.poll();
            }
            try {
                expireSession(due.sid);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "jcable: presence expiry failed for session " + due.sid, e);
            }
        }
    }

    private void expireSession(String sid) {
        SessionPresence session = sessions.remove(sid);
        if (session == null) {
            return;
        }
        synchronized (session) {
            session.streams.forEach((stream, pid) -> removeFromStream(stream, sid, pid));
            session.streams.clear();
        }
    }

    @Override
    public PresenceInfo presenceInfo(String stream) {
        StreamPresence presence = streams.get(stream);
        if (presence == null) {
            return PresenceInfo.EMPTY;
        }
        synchronized (presence) {
            List<PresenceInfo.Record> records = new ArrayList<>(presence.members.size());
            presence.members.forEach((id, member) -> records.add(new PresenceInfo.Record(id, member.info)));
            return new PresenceInfo(records.size(), List.copyOf(records));
        }
    }

    /** How many sessions hold presence records (connected or within their TTL); for tests and metrics. */
    public int presenceSessions() {
        return sessions.size();
    }

    @Override
    public void stop() {
        synchronized (deadlines) {
            deadlines.clear();
        }
    }

    private void emit(String stream, PresenceEvent event) {
        BrokerListener target = listener;
        if (target != null) {
            target.presence(stream, event);
        }
    }

    /** One stream's members, in join order. Guarded by its own monitor. */
    private static final class StreamPresence {
        final Map<String, Member> members = new LinkedHashMap<>();
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

    /** The streams a session joined (stream → presence id) and, once disconnected, its deadline. */
    private static final class SessionPresence {
        final Map<String, String> streams = new HashMap<>(4);
        long deadline; // 0 while connected
    }

    private record Deadline(long at, String sid) implements Comparable<Deadline> {
        @Override
        public int compareTo(Deadline other) {
            return Long.compare(at, other.at);
        }
    }
}
