package dev.jcable.identity;

import java.util.List;
import java.util.Map;

/**
 * What the HTTP upgrade request said that the WebSocket session cannot show later: headers and the offered
 * subprotocols. Captured by the endpoint's configurator, one per connection.
 *
 * @param token      the connection token ({@code X-<jwt_param>} header, else an {@code anycable-token.<jwt>}
 *                   subprotocol entry, else the {@code ?<jwt_param>=} query parameter), or null
 * @param restoreSid the session to restore ({@code X-ANYCABLE-RESTORE-SID} header, else {@code ?sid=}), or null
 */
public record Handshake(String token, String restoreSid) {

    public static final String TOKEN_PROTOCOL_PREFIX = "anycable-token.";

    /** @param headers request headers with lower-cased names */
    public static Handshake of(Map<String, List<String>> headers, Map<String, List<String>> query, String jwtParam) {
        String token = first(headers.get("x-" + jwtParam.toLowerCase(java.util.Locale.ROOT)));
        if (token == null) {
            token = protocolToken(headers.get("sec-websocket-protocol"));
        }
        if (token == null) {
            token = first(query.get(jwtParam));
        }
        String sid = first(headers.get("x-anycable-restore-sid"));
        if (sid == null) {
            sid = first(query.get("sid"));
        }
        return new Handshake(token, sid);
    }

    private static String protocolToken(List<String> headerValues) {
        if (headerValues == null) {
            return null;
        }
        for (String value : headerValues) {
            for (String protocol : value.split(",")) {
                String p = protocol.trim();
                if (p.startsWith(TOKEN_PROTOCOL_PREFIX) && p.length() > TOKEN_PROTOCOL_PREFIX.length()) {
                    return p.substring(TOKEN_PROTOCOL_PREFIX.length());
                }
            }
        }
        return null;
    }

    private static String first(List<String> values) {
        if (values == null || values.isEmpty()) {
            return null;
        }
        String value = values.get(0);
        return value == null || value.isBlank() ? null : value.trim();
    }
}
