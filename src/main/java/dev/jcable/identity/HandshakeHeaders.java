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
    private ContainerLogin login;
    private String remoteAddress;

    /** @param headers the request's headers, names lower-cased */
    public HandshakeHeaders(Map<String, List<String>> headers) {
        this(headers, ContainerLogin.NONE);
    }

    /** @param login what the container's login showed of the handshake */
    public HandshakeHeaders(Map<String, List<String>> headers, ContainerLogin login) {
        this(headers, login, null);
    }

    /** @param remoteAddress the handshake's remote address (the peer's IP), or null where it was not seen */
    public HandshakeHeaders(Map<String, List<String>> headers, ContainerLogin login, String remoteAddress) {
        this.headers = headers;
        this.login = login;
        this.remoteAddress = remoteAddress;
    }

    /** What the holder carried; taken once. {@code remoteAddress} may be null. */
    public record Taken(Map<String, List<String>> headers, ContainerLogin login, String remoteAddress) {
        static final Taken NONE = new Taken(Map.of(), ContainerLogin.NONE, null);
    }

    /** Takes the headers out of a connection's user properties; an empty map when there are none (or no longer). */
    public static Map<String, List<String>> take(Map<String, Object> userProperties) {
        return takeAll(userProperties).headers();
    }

    /** Takes the headers and the login out of a connection's user properties; none when there are none. */
    public static Taken takeAll(Map<String, Object> userProperties) {
        Object held = userProperties == null ? null : userProperties.remove(KEY);
        return held instanceof HandshakeHeaders holder ? holder.take() : Taken.NONE;
    }

    private synchronized Taken take() {
        Taken taken = headers == null ? Taken.NONE : new Taken(headers, login, remoteAddress);
        headers = null;
        login = null;
        remoteAddress = null;
        return taken;
    }
}
