package dev.jcable.broker.redis;

/**
 * Where the Redis broker keeps its state.
 *
 * @param url    {@code redis://…} or {@code rediss://…} (password and database in the URL)
 * @param prefix the prefix of every key and channel
 */
public record RedisSettings(String url, String prefix) {
}
