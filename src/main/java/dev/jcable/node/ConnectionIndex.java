package dev.jcable.node;

import dev.jcable.protocol.JsonText;
import dev.jcable.session.CableSession;
import jakarta.json.JsonException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This node's open connections by their identifiers, so that a remote {@code disconnect} finds its few connections
 * without a scan of all. Bounded by the connections themselves: a connection is added once it is identified and
 * removed when it closes. Identifiers are compared as JSON (whitespace aside, keys in their order), as anycable-go
 * compares the strings its RPC returned.
 */
final class ConnectionIndex {

    private final Map<String, Set<CableSession>> byIdentifiers = new ConcurrentHashMap<>();

    void add(CableSession session) {
        String key = key(session.identifiers());
        if (key != null) {
            byIdentifiers.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(session);
        }
    }

    /** Removes {@code session} as it was indexed ({@code identifiers} may have changed since: pass the indexed ones). */
    void remove(CableSession session, String identifiers) {
        String key = key(identifiers);
        if (key != null) {
            byIdentifiers.computeIfPresent(key, (k, sessions) -> {
                sessions.remove(session);
                return sessions.isEmpty() ? null : sessions;
            });
        }
    }

    /** The open connections whose identifiers equal {@code identifiers}; a copy. */
    List<CableSession> find(String identifiers) {
        String key = key(identifiers);
        Set<CableSession> found = key == null ? null : byIdentifiers.get(key);
        return found == null ? List.of() : List.copyOf(found);
    }

    /** How many distinct identifiers are indexed; for tests. */
    int size() {
        return byIdentifiers.size();
    }

    /** The canonical text of a connection's identifiers, or null for an anonymous connection (nothing to index). */
    static String key(String identifiers) {
        if (identifiers == null || identifiers.isBlank()) {
            return null;
        }
        try {
            return JsonText.parse(identifiers).toString();
        } catch (JsonException | IllegalArgumentException e) {
            return identifiers; // not JSON: compared as it is
        }
    }
}
