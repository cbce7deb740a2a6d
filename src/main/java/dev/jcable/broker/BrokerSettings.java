package dev.jcable.broker;

import java.time.Duration;

/**
 * The broker's limits and lifetimes.
 *
 * @param presenceTtl     how long a disconnected session's presence survives
 * @param maxMembers      presence ids per stream
 * @param historyLimit    messages kept per stream
 * @param historyTtl      how long a message is kept
 * @param sessionsTtl     how long a disconnected session can be restored; zero disables restoring
 * @param sessionsMaxSize characters all cached sessions may hold together ({@link CachedSession#size()}); the oldest
 *                        are dropped first
 */
public record BrokerSettings(Duration presenceTtl, int maxMembers, int historyLimit, Duration historyTtl,
                             Duration sessionsTtl, long sessionsMaxSize) {

    /** Settings whose session cache is bounded by {@code sessions_ttl} alone (tests and benchmarks). */
    public BrokerSettings(Duration presenceTtl, int maxMembers, int historyLimit, Duration historyTtl,
                          Duration sessionsTtl) {
        this(presenceTtl, maxMembers, historyLimit, historyTtl, sessionsTtl, Long.MAX_VALUE);
    }
}
