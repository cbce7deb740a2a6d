package dev.jcable.node;

import dev.jcable.protocol.JsonText;
import dev.jcable.session.CableSession;
import jakarta.json.JsonException;
import java.util.HashSet;
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

    /**
     * Identifiers → the one connection holding them (a {@link CableSession}), or an immutable {@code Set} of them when
     * several do (a user's tabs). Usually one: a set for every connection would cost about 200 bytes each (issue
     * 26: memory per connection). Values are replaced, never changed, so {@link #find} reads them without a lock.
     */
    private final Map<String, Object> byIdentifiers = new ConcurrentHashMap<>();

    void add(CableSession session) {
        String key = key(session.identifiers());
        if (key != null) {
            byIdentifiers.merge(key, session, (held, added) -> with(held, session));
        }
    }

    /** Removes {@code session} as it was indexed ({@code identifiers} may have changed since: pass the indexed ones). */
    void remove(CableSession session, String identifiers) {
        String key = key(identifiers);
        if (key != null) {
            byIdentifiers.computeIfPresent(key, (k, held) -> without(held, session));
        }
    }

    /** The open connections whose identifiers equal {@code identifiers}; a copy. */
    List<CableSession> find(String identifiers) {
        String key = key(identifiers);
        Object found = key == null ? null : byIdentifiers.get(key);
        return found == null ? List.of() : found instanceof CableSession one ? List.of(one) : List.copyOf(sessions(found));
    }

    private static Object with(Object held, CableSession session) {
        if (held == session) {
            return held;
        }
        Set<CableSession> all = new HashSet<>(sessions(held));
        all.add(session);
        return Set.copyOf(all);
    }

    /** What stays indexed under the key without {@code session}; null when nothing. */
    private static Object without(Object held, CableSession session) {
        if (held instanceof CableSession one) {
            return one == session ? null : one;
        }
        Set<CableSession> rest = new HashSet<>(sessions(held));
        rest.remove(session);
        return rest.isEmpty() ? null : rest.size() == 1 ? rest.iterator().next() : Set.copyOf(rest);
    }

    @SuppressWarnings("unchecked")
    private static Set<CableSession> sessions(Object held) {
        return held instanceof CableSession one ? Set.of(one) : (Set<CableSession>) held;
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
            String canonical = JsonText.parse(identifiers).toString();
            return canonical.equals(identifiers) ? identifiers : canonical; // the session's own string, not a copy
        } catch (JsonException | IllegalArgumentException e) {
            return identifiers; // not JSON: compared as it is
        }
    }
}
