package dev.jcable.endpoint;

import dev.jcable.identity.HandshakeHeaders;
import dev.jcable.node.Node;
import jakarta.enterprise.inject.spi.CDI;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The endpoint's configurator. It keeps the upgrade request's headers for {@code @OnOpen}, where the session no
 * longer shows them ({@link HandshakeHeaders}): since WebSocket 2.1 the user properties seen here are per connection
 * and become the session's, so concurrent handshakes do not mix. Subprotocol negotiation stays the container's: the client's first supported
 * protocol wins, and an {@code anycable-token.*} entry is never chosen because the endpoint does not list it.
 *
 * <p>It also hands every connection the same {@link CableEndpoint}: the endpoint holds no state, and a CDI-made
 * instance per connection costs each connection the injection target the container builds for it (about 0.7 KB of
 * Weld objects for the connection's life on Payara, see docs/BENCHMARKS.md) and the time to build it.
 */
public class HandshakeCapture extends ServerEndpointConfig.Configurator {

    private final Supplier<Node> nodes;
    private volatile CableEndpoint shared;

    public HandshakeCapture() {
        this(() -> CDI.current().select(Node.class).get()); // the application-scoped node's client proxy
    }

    HandshakeCapture(Supplier<Node> nodes) {
        this.nodes = nodes;
    }

    @Override
    public void modifyHandshake(ServerEndpointConfig config, HandshakeRequest request, HandshakeResponse response) {
        Map<String, List<String>> headers = new HashMap<>();
        request.getHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), List.copyOf(values)));
        config.getUserProperties().put(HandshakeHeaders.KEY, new HandshakeHeaders(headers));
    }

    @Override
    public <T> T getEndpointInstance(Class<T> type) throws InstantiationException {
        if (type != CableEndpoint.class) {
            return super.getEndpointInstance(type);
        }
        CableEndpoint endpoint = shared;
        if (endpoint == null) {
            endpoint = new CableEndpoint(nodes.get()); // two racing first handshakes make two: harmless, stateless
            shared = endpoint;
        }
        return type.cast(endpoint);
    }
}
