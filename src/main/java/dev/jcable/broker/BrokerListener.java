package dev.jcable.broker;

/** Receives what a {@link Broker} delivers on this node. Must not block: it only enqueues frames. */
public interface BrokerListener {

    void deliver(StreamMessage message);

    void presence(String stream, PresenceEvent event);
}
