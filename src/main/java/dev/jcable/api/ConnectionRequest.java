package dev.jcable.api;

import jakarta.json.JsonObject;
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
}
