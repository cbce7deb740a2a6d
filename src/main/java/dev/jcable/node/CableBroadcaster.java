package dev.jcable.node;

import dev.jcable.api.Broadcaster;
import dev.jcable.api.StreamSigner;
import dev.jcable.broker.Publication;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** The {@link Broadcaster} and {@link StreamSigner} applications inject. */
@ApplicationScoped
public class CableBroadcaster implements Broadcaster, StreamSigner {

    @Inject
    Node node;

    @Override
    public void broadcast(String stream, String data) {
        node.publish(new Publication(stream, data));
    }

    @Override
    public void broadcast(String stream, String data, String excludeSocket) {
        node.publish(new Publication(stream, data, excludeSocket));
    }

    @Override
    public String sign(String stream) {
        return node.signStream(stream);
    }
}
