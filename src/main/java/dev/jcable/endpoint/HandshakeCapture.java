package dev.jcable.endpoint;

import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Keeps the upgrade request's headers for {@code @OnOpen}, where the session no longer shows them. Since WebSocket
 * 2.1 the user properties seen here are per connection and become the session's, so concurrent handshakes do not
 * mix. Subprotocol negotiation stays the container's: the client's first supported protocol wins, and an
 * {@code anycable-token.*} entry is never chosen because the endpoint does not list it.
 */
public class HandshakeCapture extends ServerEndpointConfig.Configurator {

    public static final String HEADERS = "jcable.handshake.headers";

    @Override
    public void modifyHandshake(ServerEndpointConfig config, HandshakeRequest request, HandshakeResponse response) {
        Map<String, List<String>> headers = new HashMap<>();
        request.getHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), List.copyOf(values)));
        config.getUserProperties().put(HEADERS, headers);
    }
}
