package dev.jcable.broker;

/**
 * What a broker holds, for the metrics. The memory broker keeps its figures as they change (one atomic add per join,
 * leave, publish and expiry), so reading them costs nothing per stream; the Redis broker counts presence in Redis at
 * most every few seconds ({@code RedisStats}). A figure the broker does not hold on this node reports -1.
 */
public record BrokerStats(long presenceStreams, long presenceMembers, long historyStreams, long historyMessages) {

    public static final BrokerStats UNKNOWN = new BrokerStats(-1, -1, -1, -1);
}
