package dev.jcable.pusher;

import dev.jcable.protocol.PresenceEvent;
import dev.jcable.session.Dialect;
import java.util.Map;
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
    // the client-event window: frames of one connection arrive one at a time, so no lock
    private long windowStart;
    private int windowCount;

    PusherConnection(LongSupplier clock) {
        this.clock = clock;
    }

    void joined(String channel, String userId) {
        userIds.put(channel, userId);
    }

    void left(String channel) {
        userIds.remove(channel);
    }

    String userId(String channel) {
        return userIds.get(channel);
    }

    /** Counts a client event; false when this second's allowance is spent (the event is refused). */
    boolean allowClientEvent() {
        long now = clock.getAsLong();
        if (now - windowStart >= 1000) {
            windowStart = now;
            windowCount = 0;
        }
        return ++windowCount <= CLIENT_EVENTS_PER_SECOND;
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

    /** Pusher tells a member of others only: its own arrival is in its subscription_succeeded. */
    @Override
    public boolean receives(String channel, PresenceEvent event) {
        return !event.id().equals(userIds.get(channel));
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
