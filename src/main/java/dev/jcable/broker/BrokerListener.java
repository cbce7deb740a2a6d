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
     * {@code stream} got its first subscriber in the cluster ({@code occupied}) or lost its last one: reported once
     * for the cluster, by the node whose subscriber (or whose sweep of a dead node's record) made the edge, in the
     * order the edges happened. May be called under the broker's locks or on its I/O threads: it only queues.
     */
    default void occupancyChanged(String stream, boolean occupied) {
    }

    /**
     * Whether this node can take another fan-out of {@code stream} now. A clustered broker that hears otherwise drops
     * what it receives for the stream and makes up for it later (rather than queue without bound).
     */
    default boolean accepts(String stream) {
        return true;
    }

    /**
     * Presence events of {@code stream} were dropped (this node fell behind, or its pub/sub connection dropped or
     * hung) at or after {@code sinceMillis} (epoch millis): its local subscribers' view of the stream's presence may
     * be wrong, and they must fetch it afresh; their restore must not keep it.
     */
    default void presenceLost(String stream, long sinceMillis) {
    }

    /**
     * The stream's offsets were forgotten in the broker (expired after {@code 10 × history_ttl} of quiet, evicted,
     * lost in a restart) and a new epoch started, counting from 1 again: the positions local subscribers attached at
     * belong to the old epoch and must no longer hold back the new one's messages. Called under the lock that orders
     * the stream's deliveries and attaches, before the new epoch's first message is delivered; it only queues.
     */
    default void epochChanged(String stream) {
    }

    /** A remote command reached this node (from any node): it applies it to its own connections only. */
    default void command(RemoteCommand command) {
    }
}
