package dev.jcable.session;

import dev.jcable.protocol.Codec;
import dev.jcable.protocol.PresenceEvent;

/**
 * How a connection's frames look. The node, hub and outbox are shared by every protocol jcable speaks; only the
 * frames they carry differ. AnyCable's is the default; the Pusher room ({@code dev.jcable.pusher}) gives its
 * connections its own. A hub group (the subscribers of one stream under one identifier) builds each frame once with
 * the dialect of its subscribers: identifiers of different protocols never coincide (AnyCable's are JSON objects,
 * Pusher's are channel names).
 */
public interface Dialect {

    Dialect ANYCABLE = new Dialect() {
    };

    /** A stream message ({@code messageJson}, a JSON value) for subscription {@code identifier}. */
    default String message(String identifier, String quotedIdentifier, String messageJson, String streamMeta) {
        return streamMeta == null ? Codec.message(quotedIdentifier, messageJson)
                : Codec.message(quotedIdentifier, messageJson, streamMeta);
    }

    /**
     * A presence event for subscription {@code identifier}, or null when this protocol sends none for it.
     *
     * @param encoded the event's AnyCable encoding ({@link Codec#presenceEvent}), made once per event
     */
    default String presence(String identifier, String quotedIdentifier, PresenceEvent event, String encoded) {
        return Codec.presence(quotedIdentifier, encoded);
    }

    /** Whether this connection is told about {@code event} on {@code identifier} (Pusher: never about itself). */
    default boolean receives(String identifier, PresenceEvent event) {
        return true;
    }

    /** The last frame before the server closes the connection ({@code reason}: AnyCable's, e.g. {@code no_pong}). */
    default String goodbye(String reason, boolean reconnect) {
        return Codec.disconnect(reason, reconnect);
    }

    /** The periodic application-level ping ({@link Pinger}). */
    default String ping(long timestamp) {
        return Codec.ping(timestamp);
    }
}
