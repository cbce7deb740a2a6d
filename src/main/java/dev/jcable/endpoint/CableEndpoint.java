package dev.jcable.endpoint;

import dev.jcable.node.Node;
import jakarta.enterprise.inject.spi.CDI;
import jakarta.websocket.CloseReason;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;

/**
 * The WebSocket boundary at {@code /cable}. It holds no state and no logic: everything goes to the {@link Node}.
 * One instance serves every connection ({@link HandshakeCapture#getEndpointInstance}).
 * Text frames are taken in parts so that an oversized frame can be dropped without closing the connection.
 */
@ServerEndpoint(value = "/cable", subprotocols = {"actioncable-v1-json", "actioncable-v1-ext-json"},
        configurator = HandshakeCapture.class)
public class CableEndpoint {

    private volatile Node node;

    /**
     * For containers that check an annotated endpoint for a public no-argument constructor (Open Liberty refuses the
     * deployment without one); every container here takes its instances from {@link HandshakeCapture}, and one made
     * this way finds the node on first use.
     */
    public CableEndpoint() {
        this(null);
    }

    CableEndpoint(Node node) {
        this.node = node;
    }

    private Node node() {
        Node found = node;
        if (found == null) {
            found = CDI.current().select(Node.class).get();
            node = found;
        }
        return found;
    }

    @OnOpen
    public void open(Session socket) {
        node().open(socket);
    }

    @OnMessage
    public void message(Session socket, String part, boolean last) {
        node().receive(socket, part, last);
    }

    @OnMessage
    public void pong(Session socket, PongMessage pong) {
        node().pong(socket);
    }

    @OnClose
    public void close(Session socket, CloseReason reason) {
        node().close(socket);
    }

    @OnError
    public void error(Session socket, Throwable error) {
        node().error(socket, error);
    }
}
