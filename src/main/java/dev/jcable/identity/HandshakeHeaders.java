package dev.jcable.identity;

import java.util.List;
import java.util.Map;

/**
 * The upgrade request's headers on their way from the endpoint's configurator to the connection's open, where the
 * session no longer shows them. They travel in the connection's user properties inside this holder and are taken
 * out once: a container may copy the handshake's user properties into the session and keep its copy for the
 * connection's life (on Payara the headers stayed reachable, about 0.6 KB per connection, after jcable had removed
 * them from the session's map), so what the container holds on to is this small object, not the headers.
 */
public final class HandshakeHeaders {

    /** The user-properties key. */
    public static final String KEY = "jcable.handshake.headers";

    private Map<String, List<String>> headers;

    /** @param headers the request's headers, names lower-cased */
    public HandshakeHeaders(Map<String, List<String>> headers) {
        this.headers = headers;
    }

    /** Takes the headers out of a connection's user properties; an empty map when there are none (or no longer). */
    public static Map<String, List<String>> take(Map<String, Object> userProperties) {
        Object held = userProperties == null ? null : userProperties.remove(KEY);
        return held instanceof HandshakeHeaders holder ? holder.take() : Map.of();
    }

    private synchronized Map<String, List<String>> take() {
        Map<String, List<String>> taken = headers;
        headers = null;
        return taken == null ? Map.of() : taken;
    }
}
