package dev.jcable.broker;

import dev.jcable.protocol.PresenceEvent;

/** Receives what a {@link Broker} delivers on this node. Must not block: it only enqueues frames. */
public interface BrokerListener {

    void deliver(StreamMessage message);

    void presence(String stream, PresenceEvent event);

    /**
     * A presence transition this node made: a first join or last leave its own call (or its TTL sweep) caused. Every
     * transition is reported once for the cluster, on one node, while {@link #presence} reaches every node with
     * subscribers of the stream. May be called under the broker's locks: it only queues.
     *
     * @param members the stream's presence set size after it: 1 after a join that occupied the stream, 0 after the
     *                leave that vacated it
     */
    default void presenceChanged(String stream, PresenceEvent event, int members) {
    }

    /**
     * Whether this node can take another fan-out of {@code stream} now. A clustered broker that hears otherwise drops
     * what it receives for the stream and makes up for it later (rather than queue without bound).
     */
    default boolean accepts(String stream) {
        return true;
    }

    /**
     * Presence events of {@code stream} were dropped because this node fell behind: its local subscribers' view of
     * the stream's presence may be wrong, and they must fetch it afresh.
     */
    default void presenceLost(String stream) {
    }

    /** A remote command reached this node (from any node): it applies it to its own connections only. */
    default void command(RemoteCommand command) {
    }
}
