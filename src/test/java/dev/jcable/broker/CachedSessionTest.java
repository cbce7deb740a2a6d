package dev.jcable.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jcable.streams.StreamSpec;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CachedSessionTest {

    /**
     * A Java channel's subscription that streams nothing has no stream: caching its session at close threw (seen by
     * RealmIT on all three servers: {@code NullPointerException} in {@code size()}, the session not cached).
     */
    @Test
    void aSubscriptionWithoutAStreamCountsOnlyItsIdentifier() {
        Map<String, StreamSpec> subscriptions = new LinkedHashMap<>();
        subscriptions.put("{\"channel\":\"A\"}", new StreamSpec(null, false, false)); // 15 characters
        subscriptions.put("{\"channel\":\"B\"}", new StreamSpec("room:1", false, false)); // 15 + 6
        assertEquals(13 + 15 + 15 + 6, new CachedSession("{\"user\":\"al\"}", subscriptions).size());
    }
}
