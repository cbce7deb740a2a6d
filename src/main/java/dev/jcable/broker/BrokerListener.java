package dev.jcable.broker;

/** Receives what a {@link Broker} delivers on this node. Must not block: it only enqueues frames. */
public interface BrokerListener {

    void deliver(StreamMessage message);

    void presence(String stream, PresenceEvent event);

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
}
