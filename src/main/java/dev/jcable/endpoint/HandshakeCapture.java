package dev.jcable.endpoint;

import dev.jcable.identity.ContainerLogin;
import dev.jcable.identity.HandshakeHeaders;
import dev.jcable.node.Node;
import jakarta.enterprise.inject.spi.CDI;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.servlet.http.HttpSession;
import jakarta.websocket.server.ServerEndpointConfig;
import java.security.Principal;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
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
    private volatile Set<String> roles;

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
        config.getUserProperties().put(HandshakeHeaders.KEY, new HandshakeHeaders(headers, login(request),
                RemoteAddressFilter.current()));
    }

    /**
     * The container's login, read now: the request may be recycled once the upgrade is done. Roles are asked for
     * those the application names (the node knows them); the HTTP session's attributes are copied as they are now.
     */
    private ContainerLogin login(HandshakeRequest request) {
        Principal principal = request.getUserPrincipal();
        Set<String> roles = new HashSet<>();
        if (principal != null) {
            for (String role : roles()) {
                if (request.isUserInRole(role)) {
                    roles.add(role);
                }
            }
        }
        Map<String, Object> attributes = new HashMap<>();
        if (request.getHttpSession() instanceof HttpSession session) {
            try {
                for (String name : Collections.list(session.getAttributeNames())) {
                    Object value = session.getAttribute(name);
                    if (value != null) {
                        attributes.put(name, value);
                    }
                }
            } catch (IllegalStateException e) {
                attributes.clear(); // invalidated meanwhile: no session
            }
        }
        if (principal == null && attributes.isEmpty()) {
            return ContainerLogin.NONE;
        }
        return new ContainerLogin(principal, roles, attributes);
    }

    private Set<String> roles() {
        Set<String> known = roles;
        if (known == null) {
            known = Set.copyOf(nodes.get().knownRoles()); // fixed for the deployment: asked once
            roles = known;
        }
        return known;
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
