package dev.jcable.identity;

import java.security.Principal;
import java.util.Map;
import java.util.Set;

/**
 * What the container's login showed of a handshake, read while the handshake lasts (a {@code HandshakeRequest} may be
 * recycled once the upgrade is done): the user, which of the roles the application names it has, and the HTTP
 * session's attributes.
 *
 * @param principal         the authenticated user, or null
 * @param roles             the roles it has among those the application names
 * @param sessionAttributes the HTTP session's attributes at the handshake; empty without a session
 */
public record ContainerLogin(Principal principal, Set<String> roles, Map<String, Object> sessionAttributes) {

    public static final ContainerLogin NONE = new ContainerLogin(null, Set.of(), Map.of());

    public ContainerLogin {
        roles = Set.copyOf(roles);
        sessionAttributes = Map.copyOf(sessionAttributes);
    }
}
