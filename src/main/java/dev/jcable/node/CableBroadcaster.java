package dev.jcable.node;

import dev.jcable.api.Broadcaster;
import dev.jcable.api.Connections;
import dev.jcable.api.Presence;
import dev.jcable.api.StreamSigner;
import dev.jcable.broker.Publication;
import dev.jcable.broker.RemoteCommand;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** The {@link Broadcaster}, {@link StreamSigner}, {@link Presence} and {@link Connections} applications inject. */
@ApplicationScoped
public class CableBroadcaster implements Broadcaster, StreamSigner, Presence, Connections {

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
    public void disconnect(String identifiers, boolean reconnect) {
        node.broadcast(new RemoteCommand(identifiers, reconnect));
    }

    @Override
    public int count(String stream) {
        return node.presenceCount(stream);
    }

    @Override
    public String sign(String stream) {
        return node.signStream(stream);
    }
}
