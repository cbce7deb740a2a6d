package dev.jcable.broker;

import dev.jcable.api.Publication;

/** Receives what a {@link Broker} delivers on this node. Must not block: it only enqueues frames. */
public interface BrokerListener {

    void deliver(Publication publication);

    void presence(String stream, PresenceEvent event);
}
