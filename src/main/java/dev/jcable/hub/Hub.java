package dev.jcable.hub;

import dev.jcable.protocol.Codec;
import dev.jcable.protocol.PresenceEvent;
import dev.jcable.session.CableSession;
import dev.jcable.session.Dialect;
import dev.jcable.session.Frame;
import dev.jcable.session.Subscription;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Stream → subscribers fan-out. Subscribers of a stream are grouped by identifier, so a broadcast builds one
 * {@link Frame} per identifier and queues that same object to each session of the group (a raw transport encodes it
 * once for all of them); nothing here blocks or writes to a socket. Subscribing and unsubscribing lock only the
 * stream concerned. Callers run fan-outs on the {@link DeliveryPool}, in order per stream.
 */
public final class Hub {

    private final ConcurrentHashMap<String, Map<String, Group>> streams = new ConcurrentHashMap<>();
    /** Counts subscribes, so that an epoch change resets exactly the positions taken before it. */
    private final AtomicLong subscribes = new AtomicLong();

    /**
     * Adds a subscriber.
     *
     * @param position the stream's offset when it subscribed: fan-outs of offsets up to it may still be queued, and
     *                 this subscriber gets those through history, never live as well
     */
    public void subscribe(CableSession session, Subscription subscription, long position) {
        streams.compute(subscription.spec().stream(), (stream, groups) -> {
            // small tables first (they grow): a stream has one identifier, often few subscribers, and a node may hold a
            // stream per connection (issue 26: memory per connection)
            Map<String, Group> g = groups != null ? groups : new ConcurrentHashMap<>(2);
            g.computeIfAbsent(subscription.identifier(),
                    id -> new Group(subscription.quotedIdentifier(), session.dialect()))
                    .sessions.put(session, new At(position, subscribes.incrementAndGet()));
            return g;
        });
    }

    public void unsubscribe(CableSession session, Subscription subscription) {
        streams.computeIfPresent(subscription.spec().stream(), (stream, groups) -> {
            Group group = groups.get(subscription.identifier());
            if (group != null && group.sessions.remove(session) != null && group.sessions.isEmpty()) {
                groups.remove(subscription.identifier());
            }
            return groups.isEmpty() ? null : groups;
        });
    }

    /**
     * Delivers {@code message} (a JSON value) to every subscriber of {@code stream} except {@code excludeSid}.
     *
     * @param streamMeta {@code ,"stream_id":…,"epoch":…,"offset":…} of a durable message, or null
     * @param offset     the durable message's offset (subscribers that joined at or after it are skipped), or 0
     */
    public void deliver(String stream, String message, String streamMeta, long offset, String excludeSid) {
        Map<String, Group> groups = streams.get(stream);
        if (groups == null) {
            return;
        }
        groups.forEach((identifier, group) -> {
            Frame frame = new Frame(group.dialect.message(identifier, group.quotedIdentifier, message, streamMeta));
            group.sessions.forEach((session, at) -> {
                if ((offset == 0 || offset > at.offset()) && (excludeSid == null || !excludeSid.equals(session.sid()))) {
                    session.deliver(identifier, frame);
                }
            });
        });
    }

    /**
     * How many subscribes this hub has seen; read by the broker's listener when a stream's epoch changes (under the
     * lock that orders the stream's subscribes), and given to {@link #newEpoch} on the delivery pool.
     */
    public long subscribes() {
        return subscribes.get();
    }

    /**
     * The stream started a new epoch (its offsets were forgotten: expiry, eviction, a Redis restart), whose offsets
     * count from 1 again: the positions of the subscribers that attached before it ({@code subscribesBefore}) meant
     * the old epoch, and every offset of the new one is theirs live. Runs on the pool before the new epoch's first
     * fan-out. A subscriber that attached after the change holds a position in the new epoch and keeps it.
     */
    public void newEpoch(String stream, long subscribesBefore) {
        Map<String, Group> groups = streams.get(stream);
        if (groups == null) {
            return;
        }
        for (Group group : groups.values()) {
            group.sessions.replaceAll((session, at) -> at.order() <= subscribesBefore ? new At(0, at.order()) : at);
        }
    }

    /**
     * Delivers a presence event to every subscriber of {@code stream} that its protocol tells of it.
     *
     * @param encoded the event's AnyCable encoding ({@link Codec#presenceEvent}), made once for every group
     */
    public void presence(String stream, PresenceEvent event, String encoded) {
        Map<String, Group> groups = streams.get(stream);
        if (groups == null) {
            return;
        }
        groups.forEach((identifier, group) -> {
            String text = group.dialect.presence(identifier, group.quotedIdentifier, event, encoded);
            if (text == null) {
                return;
            }
            Frame frame = new Frame(text);
            String hold = Subscription.presenceHold(identifier);
            for (CableSession session : group.sessions.keySet()) {
                if (session.dialect().receives(identifier, event)) {
                    session.deliver(hold, frame); // behind a presence reply being read (PresenceCommands#info)
                }
            }
        });
    }

    /** The sessions subscribed to {@code stream}, each once. */
    public java.util.Set<CableSession> sessions(String stream) {
        Map<String, Group> groups = streams.get(stream);
        java.util.Set<CableSession> sessions = new java.util.HashSet<>();
        if (groups != null) {
            groups.values().forEach(group -> sessions.addAll(group.sessions.keySet()));
        }
        return sessions;
    }

    /** Sessions subscribed to {@code stream}, counting a session once per identifier. */
    public int subscribers(String stream) {
        Map<String, Group> groups = streams.get(stream);
        return groups == null ? 0 : groups.values().stream().mapToInt(g -> g.sessions.size()).sum();
    }

    public int streamCount() {
        return streams.size();
    }

    /** A subscriber's position in the stream when it subscribed, and the order of its subscribe in this hub. */
    private record At(long offset, long order) {
    }

    private static final class Group {
        final String quotedIdentifier;
        /** How frames to this group look: every subscriber under one identifier speaks one protocol. */
        final Dialect dialect;
        /** Each subscriber, with the stream's offset when it subscribed. */
        final Map<CableSession, At> sessions = new ConcurrentHashMap<>(2);

        Group(String quotedIdentifier, Dialect dialect) {
            this.quotedIdentifier = quotedIdentifier;
            this.dialect = dialect;
        }
    }
}
