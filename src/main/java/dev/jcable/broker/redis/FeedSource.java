package dev.jcable.broker.redis;

import dev.jcable.broker.StreamMessage;
import java.util.List;
import java.util.Optional;

/** What {@link StreamFeeds} needs from Redis; blocking calls, made off the event loop. */
interface FeedSource {
    void subscribe(String channel);

    /** Queues the unsubscribe on the pub/sub connection and returns: never waits for Redis. */
    void unsubscribe(String channel);

    /** The stream's epoch ("" before its first message) and latest offset. */
    Position position(String stream);

    Optional<List<StreamMessage>> historyFrom(String stream, String epoch, long offset, long upTo);

    /** Whether the stream had a presence transition at or after {@code sinceMillis}; true when unsure. */
    default boolean presenceChangedSince(String stream, long sinceMillis) {
        return true;
    }

    /** A stream's epoch ("" before its first message) and its latest offset. */
    record Position(String epoch, long offset) {
    }
}
