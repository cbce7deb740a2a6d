package dev.jcable.broker;

/**
 * What a broker holds, for the metrics: counted when scraped, never kept up to date on the hot path. A broker that
 * does not hold a figure on this node (with {@code broker=redis} presence and history live in Redis) reports -1.
 */
public record BrokerStats(long presenceStreams, long presenceMembers, long historyStreams, long historyMessages) {

    public static final BrokerStats UNKNOWN = new BrokerStats(-1, -1, -1, -1);
}
