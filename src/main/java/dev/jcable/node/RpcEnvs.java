package dev.jcable.node;

import dev.jcable.config.RpcSettings;
import jakarta.websocket.Session;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What an RPC call tells the application of the handshake: its URL, the configured headers, the remote address. */
final class RpcEnvs {

    private RpcEnvs() {
    }

    /** {@code http(s)://<Host header><path>?<query>}, as the browser asked for it (ws becomes http). */
    static String url(Session socket, Map<String, List<String>> headers) {
        URI uri = socket.getRequestURI();
        String host = first(headers, "host");
        String query = socket.getQueryString();
        String path = uri == null || uri.getRawPath() == null ? "/cable" : uri.getRawPath();
        return (socket.isSecure() ? "https" : "http") + "://" + (host == null ? "localhost" : host) + path
                + (query == null || query.isEmpty() ? "" : "?" + query);
    }

    /** The key of the remote address among the headers, as anycable-go sends it (a Rack app reads it as such). */
    static final String REMOTE_ADDR = "REMOTE_ADDR";

    /**
     * The handshake headers named by {@code headers} (lower case), values of a repeated one joined by ", ", and the
     * remote address as {@link #REMOTE_ADDR} where the container showed it.
     */
    static Map<String, String> headers(Map<String, List<String>> handshake, RpcSettings settings,
                                       String remoteAddress) {
        Map<String, String> picked = new LinkedHashMap<>();
        for (String name : settings.headers()) {
            List<String> values = handshake.get(name);
            if (values != null && !values.isEmpty()) {
                picked.put(name, String.join(name.equals("cookie") ? "; " : ", ", values));
            }
        }
        if (remoteAddress != null) {
            picked.put(REMOTE_ADDR, remoteAddress);
        }
        return picked;
    }

    private static String first(Map<String, List<String>> headers, String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
