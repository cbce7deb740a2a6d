package dev.jcable.api;

import jakarta.json.JsonObject;
import java.security.Principal;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The WebSocket handshake of a new connection, as a {@link ConnectionIdentifier} sees it. */
public interface ConnectionRequest {

    /** The connection's id, as its {@code welcome} will carry it. */
    String sid();

    /** The first value of a request header (name in any case), or null. */
    String header(String name);

    /** The value of a cookie from the {@code Cookie} header, or null. */
    String cookie(String name);

    /** The first value of a query parameter, or null. */
    String parameter(String name);

    /** Every query parameter. */
    Map<String, List<String>> parameters();

    /** The identifiers of a verified JWT (its {@code ext} claim), when the connection presented one. */
    Optional<JsonObject> claims();

    /**
     * The user the container authenticated for the handshake (servlet login, Jakarta Security:
     * {@code HandshakeRequest.getUserPrincipal()}), when the {@code /cable} request was authenticated.
     */
    default Optional<Principal> principal() {
        return Optional.empty();
    }

    /**
     * Whether the container's login gave the handshake's user {@code role}. Roles are read during the handshake,
     * for the roles the application names: those of {@code @RolesAllowed} on its {@code @CableChannel} classes and
     * actions, and of {@code @DeclareRoles} on them or on its {@code ConnectionIdentifier}; any other role is false.
     */
    default boolean isUserInRole(String role) {
        return false;
    }

    /**
     * An attribute of the HTTP session the handshake belonged to ({@code HandshakeRequest.getHttpSession()}), as it
     * was at the handshake; null when there was no session or no such attribute.
     */
    default Object sessionAttribute(String name) {
        return null;
    }
}
