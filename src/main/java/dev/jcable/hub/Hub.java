package dev.jcable.hub;

import dev.jcable.protocol.Codec;
import dev.jcable.session.CableSession;
import dev.jcable.session.Subscription;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Stream → subscribers fan-out. Subscribers of a stream are grouped by identifier, so a broadcast encodes one frame
 * per identifier and queues that same string to each session of the group; nothing here blocks or writes to a
 * socket. Subscribing and unsubscribing lock only the stream concerned.
 */
public final class Hub {

    private final ConcurrentHashMap<String, Map<String, Group>> streams = new ConcurrentHashMap<>();

    public void subscribe(CableSession session, Subscription subscription) {
        streams.compute(subscription.spec().stream(), (stream, groups) -> {
            Map<String, Group> g = groups != null ? groups : new ConcurrentHashMap<>();
            g.computeIfAbsent(subscription.identifier(), id -> new Group(subscription.quotedIdentifier()))
                    .sessions.add(session);
            return g;
        });
    }

    public void unsubscribe(CableSession session, Subscription subscription) {
        streams.computeIfPresent(subscription.spec().stream(), (stream, groups) -> {
            Group group = groups.get(subscription.identifier());
            if (group != null && group.sessions.remove(session) && group.sessions.isEmpty()) {
                groups.remove(subscription.identifier());
            }
            return groups.isEmpty() ? null : groups;
        });
    }

    /**
     * Delivers {@code message} (a JSON value) to every subscriber of {@code stream} except {@code excludeSid}.
     *
     * @param streamMeta {@code ,"stream_id":…,"epoch":…,"offset":…} of a durable message, or null
     */
    public void deliver(String stream, String message, String streamMeta, String excludeSid) {
        Map<String, Group> groups = streams.get(stream);
        if (groups == null) {
            return;
        }
        groups.forEach((identifier, group) -> {
            String frame = streamMeta == null ? Codec.message(group.quotedIdentifier, message)
                    : Codec.message(group.quotedIdentifier, message, streamMeta);
            for (CableSession session : group.sessions) {
                if (excludeSid == null || !excludeSid.equals(session.sid())) {
                    session.deliver(identifier, frame);
                }
            }
        });
    }

    /** Delivers a presence event ({@code {"type":"presence",…}}) to every subscriber of {@code stream}. */
    public void presence(String stream, String event) {
        Map<String, Group> groups = streams.get(stream);
        if (groups == null) {
            return;
        }
        for (Group group : groups.values()) {
            String frame = Codec.presence(group.quotedIdentifier, event);
            for (CableSession session : group.sessions) {
                session.send(frame);
            }
        }
    }

    /** Sessions subscribed to {@code stream}, counting a session once per identifier. */
    public int subscribers(String stream) {
        Map<String, Group> groups = streams.get(stream);
        return groups == null ? 0 : groups.values().stream().mapToInt(g -> g.sessions.size()).sum();
    }

    public int streamCount() {
        return streams.size();
    }

    private static final class Group {
        final String quotedIdentifier;
        final Set<CableSession> sessions = ConcurrentHashMap.newKeySet();

        Group(String quotedIdentifier) {
            this.quotedIdentifier = quotedIdentifier;
        }
    }
}
