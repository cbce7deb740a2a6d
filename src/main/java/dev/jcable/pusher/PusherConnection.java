package dev.jcable.pusher;

import dev.jcable.protocol.PresenceEvent;
import dev.jcable.protocol.PresenceInfo;
import dev.jcable.session.Dialect;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * One Pusher connection's protocol state, and the {@link Dialect} its frames are built in. Subscriptions are keyed
 * by channel name (the subscription identifier), so a hub group of Pusher subscribers builds a Pusher frame once for
 * all of them.
 */
final class PusherConnection implements Dialect {

    /** Client events per connection and second, as Pusher allows. */
    static final int CLIENT_EVENTS_PER_SECOND = 10;

    private final LongSupplier clock;
    /** The user id this connection joined each presence channel as. */
    private final Map<String, String> userIds = new ConcurrentHashMap<>();
    /**
     * Per presence channel, the member ids the client was told of: its subscription_succeeded list, then the
     * member_added and member_removed it was sent. With Redis the list is read from Redis, which can be ahead of the
     * member events still on their way to this node: an event the list already shows must not be sent again (pusher-js
     * would emit member_added for a member it lists). Absent until the list went out; touched on the channel's
     * delivery lane only (events and the list both run there).
     */
    private final Map<String, Set<String>> told = new ConcurrentHashMap<>();
    // the client-event bucket: frames of one connection arrive one at a time, so no lock
    private double tokens = CLIENT_EVENTS_PER_SECOND;
    private long refilledAt;

    PusherConnection(LongSupplier clock) {
        this.clock = clock;
    }

    void joined(String channel, String userId) {
        told.remove(channel); // a new subscription: its own list comes
        userIds.put(channel, userId);
    }

    void left(String channel) {
        userIds.remove(channel);
        told.remove(channel);
    }

    /** Its subscription_succeeded lists {@code members}: from now on it hears of changes to that list only. */
    void listed(String channel, PresenceInfo members) {
        Set<String> ids = ConcurrentHashMap.newKeySet(members.records().size());
        members.records().forEach(member -> ids.add(member.id()));
        told.put(channel, ids);
    }

    String userId(String channel) {
        return userIds.get(channel);
    }

    /**
     * Takes a client event from the connection's bucket ({@value #CLIENT_EVENTS_PER_SECOND} deep, refilled at as many
     * a second); false when it is empty and the event is refused.
     */
    boolean allowClientEvent() {
        long now = clock.getAsLong();
        if (refilledAt == 0) {
            refilledAt = now;
        }
        tokens = Math.min(CLIENT_EVENTS_PER_SECOND, tokens + (now - refilledAt) * CLIENT_EVENTS_PER_SECOND / 1000.0);
        refilledAt = now;
        if (tokens < 1) {
            return false;
        }
        tokens--;
        return true;
    }

    @Override
    public String message(String channel, String quotedIdentifier, String messageJson, String streamMeta) {
        PusherEnvelope envelope = PusherEnvelope.decode(messageJson);
        return PusherFrames.channelEvent(envelope.event(), channel, envelope.data(), envelope.userId());
    }

    @Override
    public String presence(String channel, String quotedIdentifier, PresenceEvent event, String encoded) {
        if (!PusherChannels.isPresence(channel)) {
            return null; // an AnyCable client joined presence on a public or private channel's stream
        }
        return event.join() ? PusherFrames.memberAdded(channel, event.id(), event.info())
                : PusherFrames.memberRemoved(channel, event.id());
    }

    /**
     * Pusher tells a member of others only (its own arrival is in its subscription_succeeded), and of each change once:
     * nothing before its list (which, read later, shows it), a member_added only for an id it does not know, a
     * member_removed only for one it does.
     */
    @Override
    public boolean receives(String channel, PresenceEvent event) {
        Set<String> known = told.get(channel);
        if (known == null || event.id().equals(userIds.get(channel))) {
            return false;
        }
        return event.join() ? known.add(event.id()) : known.remove(event.id());
    }

    /** jcable's reasons as Pusher's codes: 4200 (reconnect now) when the client may come back, else 4009. */
    @Override
    public String goodbye(String reason, boolean reconnect) {
        return PusherFrames.error(reconnect ? 4200 : 4009, reason);
    }

    @Override
    public String ping(long timestamp) {
        return PusherFrames.ping();
    }
}
