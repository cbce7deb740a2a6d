package dev.jcable.endpoint;

import dev.jcable.node.Node;
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

    private final Node node;

    CableEndpoint(Node node) {
        this.node = node;
    }

    @OnOpen
    public void open(Session socket) {
        node.open(socket);
    }

    @OnMessage
    public void message(Session socket, String part, boolean last) {
        node.receive(socket, part, last);
    }

    @OnMessage
    public void pong(Session socket, PongMessage pong) {
        node.pong(socket);
    }

    @OnClose
    public void close(Session socket, CloseReason reason) {
        node.close(socket);
    }

    @OnError
    public void error(Session socket, Throwable error) {
        node.error(socket, error);
    }
}
