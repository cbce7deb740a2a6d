package dev.jcable.broker;

import dev.jcable.streams.StreamSpec;
import java.util.Map;

/**
 * What a restored session gets back: its connection identifiers and its subscriptions (identifier → stream),
 * in subscription order.
 */
public record CachedSession(String identifiers, Map<String, StreamSpec> subscriptions) {

    public CachedSession {
        subscriptions = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(subscriptions));
    }
}
