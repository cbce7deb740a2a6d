package dev.jcable.identity;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;

/**
 * AnyCable's {@code allowed_origins} check: the host of the handshake's {@code Origin} ({@code host} or
 * {@code host:port}, as the header has it) must equal an entry, or end with what follows the {@code *} of a
 * {@code *suffix} entry ({@code *.example.com} covers every subdomain). An empty list allows everything. Checked on
 * the {@code /cable} handshake (endpoint.OriginFilter) and on server-sent events (http.SseServlet, with CORS).
 */
public final class AllowedOrigins {

    private AllowedOrigins() {
    }

    /**
     * @param hosts  the configured entries, lower case
     * @param origin the {@code Origin} header; a handshake without one is not a browser's, which is what the check
     *               protects, and is allowed (anycable-go refuses it)
     */
    public static boolean allows(List<String> hosts, String origin) {
        if (hosts.isEmpty() || origin == null) {
            return true;
        }
        String host = hostOf(origin);
        if (host == null) {
            return false; // "null" (a sandboxed page, a file) or not a URL
        }
        for (String allowed : hosts) {
            if (allowed.startsWith("*") ? host.endsWith(allowed.substring(1)) : host.equals(allowed)) {
                return true;
            }
        }
        return false;
    }

    private static String hostOf(String origin) {
        try {
            URI uri = new URI(origin.trim().toLowerCase(Locale.ROOT));
            if (uri.getHost() == null) {
                return null;
            }
            return uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
        } catch (URISyntaxException e) {
            return null;
        }
    }
}
