package dev.jcable.broker.redis;

/**
 * Where the Redis broker keeps its state.
 *
 * @param url    {@code redis://…} or {@code rediss://…} (password and database in the URL)
 * @param prefix    the prefix of every key and channel
 * @param occupancy whether to track which streams have subscribers cluster-wide ({@link RedisOccupancy}: Pusher's
 *                  occupied channels and their webhooks); one script per node and stream at its first subscriber and
 *                  after its last, and a renewal every half lease
 */
public record RedisSettings(String url, String prefix, boolean occupancy) {

    /** Without occupancy tracking. */
    public RedisSettings(String url, String prefix) {
        this(url, prefix, false);
    }
}
