package dev.jcable.broker;

import dev.jcable.streams.StreamSpec;
import java.util.Map;

/**
 * What a restored session gets back: its connection identifiers and its subscriptions (identifier → stream),
 * in subscription order, and when the client was last heard from (epoch millis, 0 = unknown): presence events after
 * that may never have reached it, so a restore starts the presence subscriptions of streams that changed since again.
 */
public record CachedSession(String identifiers, Map<String, StreamSpec> subscriptions, long heardAt) {

    public CachedSession(String identifiers, Map<String, StreamSpec> subscriptions) {
        this(identifiers, subscriptions, 0);
    }

    public CachedSession {
        subscriptions = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(subscriptions));
    }

    /** The characters it holds: identifiers, and each subscription's identifier and stream. */
    public long size() {
        long size = identifiers == null ? 0 : identifiers.length();
        for (Map.Entry<String, StreamSpec> subscription : subscriptions.entrySet()) {
            String stream = subscription.getValue().stream(); // null: a Java channel's subscription streaming nothing
            size += subscription.getKey().length() + (stream == null ? 0 : stream.length());
        }
        return size;
    }
}
