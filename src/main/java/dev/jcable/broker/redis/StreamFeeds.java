package dev.jcable.broker.redis;

import dev.jcable.broker.BrokerListener;
import dev.jcable.broker.StreamMessage;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongConsumer;
import java.util.logging.Logger;

/**
 * This node's side of the fan-out: the stream channels it is subscribed to (one per stream with local subscribers,
 * counted), and the order of what arrives on them. Redis pub/sub delivers at most once, so each stream remembers the
 * last offset handed to the listener: an offset already covered is dropped, and a gap (a message lost while the
 * connection was down) is filled from the stream's history before the message that revealed it. Everything a stream
 * delivers runs under its feed's lock, on its lane.
 */
final class StreamFeeds {

    private static final Logger LOG = Logger.getLogger(StreamFeeds.class.getName());

    /** What the feeds need from Redis; blocking calls, made off the event loop. */
    interface Redis {
        void subscribe(String channel);

        void unsubscribe(String channel);

        /** The stream's epoch ("" before its first message) and latest offset. */
        Position position(String stream);

        Optional<List<StreamMessage>> historyFrom(String stream, String epoch, long offset, long upTo);
    }

    record Position(String epoch, long offset) {
    }

    private final RedisKeys keys;
    private final Redis redis;
    private final Lanes lanes;
    private final ConcurrentHashMap<String, Feed> feeds = new ConcurrentHashMap<>();
    private volatile BrokerListener listener;

    StreamFeeds(RedisKeys keys, Redis redis, Lanes lanes) {
        this.keys = keys;
        this.redis = redis;
        this.lanes = lanes;
    }

    void start(BrokerListener listener) {
        this.listener = listener;
    }

    /**
     * Counts a local subscriber of {@code stream}, subscribing this node to its channel first if it is the first, and
     * runs {@code subscribe} with the last offset delivered here, under the feed's lock: nothing of the stream is
     * delivered meanwhile. Returns that offset; everything after it reaches the new subscriber live.
     */
    long attach(String stream, LongConsumer subscribe) {
        while (true) {
            Feed feed = feeds.computeIfAbsent(stream, s -> new Feed());
            synchronized (feed) {
                if (feed.removed) {
                    continue;
                }
                if (feed.refs == 0) {
                    try {
                        redis.subscribe(keys.channel(stream));
                        feed.ownSubscriptions++; // its "subscribed" callback needs no catching up
                        // read after the subscription is in place: every later offset arrives on the channel
                        Position position = redis.position(stream);
                        feed.epoch = position.epoch();
                        feed.last = position.offset();
                    } catch (RuntimeException e) {
                        feed.removed = true;
                        feeds.remove(stream, feed);
                        redis.unsubscribe(keys.channel(stream)); // in case the subscription was made
                        throw e;
                    }
                }
                subscribe.accept(feed.last);
                feed.refs++;
                return feed.last;
            }
        }
    }

    /** A local subscriber of {@code stream} is gone; the last one unsubscribes this node from the channel. */
    void detach(String stream) {
        Feed feed = feeds.get(stream);
        if (feed == null) {
            return;
        }
        synchronized (feed) {
            if (feed.removed || --feed.refs > 0) {
                return;
            }
            feed.removed = true;
            feeds.remove(stream, feed);
        }
        redis.unsubscribe(keys.channel(stream));
    }

    /** A pub/sub message, on Lettuce's event loop: only queued here. */
    void received(String channel, String payload) {
        String stream = keys.streamOf(channel);
        if (stream != null && !payload.isEmpty()) {
            lanes.execute(stream, () -> dispatch(stream, payload));
        }
    }

    /**
     * This node is subscribed to {@code channel}: the first time, or again after the pub/sub connection came back.
     * Messages published while it was down never arrived, so the stream reads its position and fills what it
     * missed; after a subscription {@link #attach} made there is nothing to fill.
     */
    void subscribed(String channel) {
        String stream = keys.streamOf(channel);
        if (stream != null) {
            lanes.execute(stream, () -> catchUp(stream));
        }
    }

    private void catchUp(String stream) {
        Feed feed = feeds.get(stream);
        if (feed == null) {
            return;
        }
        synchronized (feed) {
            if (feed.removed) {
                return;
            }
            if (feed.ownSubscriptions > 0) {
                feed.ownSubscriptions--; // attach read the position once subscribed: nothing can be missing
                return;
            }
            Position position = redis.position(stream);
            if (!position.epoch().equals(feed.epoch)) {
                feed.epoch = position.epoch();
                feed.last = 0;
            }
            if (position.offset() > feed.last) {
                fill(stream, feed, position.offset());
            }
        }
    }

    int streams() {
        return feeds.size();
    }

    private void dispatch(String stream, String payload) {
        Feed feed = feeds.get(stream);
        if (feed == null) {
            return; // no local subscriber any more
        }
        synchronized (feed) {
            if (feed.removed) {
                return;
            }
            switch (payload.charAt(0)) {
                case 'm' -> message(stream, feed, PubSubPayloads.message(stream, payload));
                case 't' -> listener.deliver(PubSubPayloads.whisper(stream, payload));
                case 'j', 'l' -> listener.presence(stream, PubSubPayloads.presence(payload));
                default -> LOG.warning(() -> "jcable: unknown message on " + keys.channel(stream) + " ignored");
            }
        }
    }

    private void message(String stream, Feed feed, StreamMessage message) {
        if (!message.epoch().equals(feed.epoch)) {
            // the stream was forgotten (its offset outlived) and started again: a new sequence from 1
            feed.epoch = message.epoch();
            feed.last = 0;
        }
        if (message.offset() <= feed.last) {
            return; // already covered by the position a subscriber got, or a duplicate
        }
        if (message.offset() > feed.last + 1) {
            fill(stream, feed, message.offset() - 1);
        }
        listener.deliver(message);
        feed.last = message.offset();
    }

    /** Delivers what is missing up to {@code upTo} from history; what history no longer has is lost, and said so. */
    private void fill(String stream, Feed feed, long upTo) {
        Optional<List<StreamMessage>> missed = redis.historyFrom(stream, feed.epoch, feed.last, upTo);
        if (missed.isEmpty()) {
            long lost = upTo - feed.last;
            LOG.warning(() -> "jcable: " + lost + " message(s) of stream " + stream + " missed by this node are no"
                    + " longer in its history");
            feed.last = upTo;
            return;
        }
        for (StreamMessage message : missed.get()) {
            if (message.offset() > feed.last) {
                listener.deliver(message);
                feed.last = message.offset();
            }
        }
        feed.last = Math.max(feed.last, upTo);
    }

    /** One stream this node is subscribed to. Guarded by its own monitor. */
    private static final class Feed {
        int refs;
        /** Subscriptions made by {@link #attach} whose confirmation has not been handled yet. */
        int ownSubscriptions;
        String epoch = "";
        long last;
        boolean removed;
    }
}
