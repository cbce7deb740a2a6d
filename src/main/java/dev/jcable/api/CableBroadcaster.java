package dev.jcable.api;

import dev.jcable.node.Node;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** The {@link Broadcaster} and {@link StreamSigner} applications inject. */
@ApplicationScoped
public class CableBroadcaster implements Broadcaster, StreamSigner {

    @Inject
    Node node;

    @Override
    public void broadcast(String stream, String data) {
        broadcast(new Publication(stream, data));
    }

    @Override
    public void broadcast(Publication publication) {
        node.publish(publication);
    }

    @Override
    public String sign(String stream) {
        return node.signStream(stream);
    }
}
