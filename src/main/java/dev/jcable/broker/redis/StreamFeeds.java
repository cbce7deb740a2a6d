package dev.jcable.broker.redis;

import dev.jcable.broker.BrokerListener;
import dev.jcable.broker.StreamMessage;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * This node's side of the fan-out: the stream channels it is subscribed to (one per stream with local subscribers,
 * counted), and the order of what arrives on them. Redis pub/sub delivers at most once, so each stream remembers the
 * last offset handed to the listener: an offset already covered is dropped, and a gap (a message lost while the
 * connection was down) is filled from the stream's history before the message that revealed it. Everything a stream
 * delivers runs under its feed's lock, on its lane.
 *
 * <p>Bounded: when this node falls behind, a payload its lane has no room for (the lane holds {@link Lanes#LIMIT}),
 * or one whose fan-out the listener cannot take now ({@link BrokerListener#accepts}), is dropped, and the stream is
 * resynced once the lane gets to it: its messages from history up to its latest offset (exact, as after an outage),
 * and, if a presence event was among the dropped, the listener is told ({@link BrokerListener#presenceLost}) so that
 * the local subscribers fetch presence afresh. Dropped whispers are lost (they are at most once anyway).
 */
final class StreamFeeds implements RedisOccupancy.Local {

    private static final Logger LOG = Logger.getLogger(StreamFeeds.class.getName());

    /** How far before the last sign of life a transition counts as possibly missed (clocks, frames in flight). */
    static final long PRESENCE_MARGIN_MILLIS = 2000;

    private final RedisKeys keys;
    private final FeedSource redis;
    private final Lanes lanes;
    private final ConcurrentHashMap<String, Feed> feeds = new ConcurrentHashMap<>();
    private final AtomicLong dropped = new AtomicLong();
    /** Whether some stream's catch-up could not read Redis ({@link Feed#catchUpOwed}). */
    private final AtomicBoolean catchUpsOwed = new AtomicBoolean();
    private volatile BrokerListener listener;
    private volatile RedisOccupancy occupancy;

    StreamFeeds(RedisKeys keys, FeedSource redis, Lanes lanes) {
        this.keys = keys;
        this.redis = redis;
        this.lanes = lanes;
    }

    void start(BrokerListener listener) {
        this.listener = listener;
    }

    /**
     * Tells {@code occupancy} of each stream's first local subscriber and of its last one gone, under the feed's lock
     * so that a stream's edges leave in the order they happened (it does not wait for Redis). Before any attach.
     */
    void track(RedisOccupancy occupancy) {
        this.occupancy = occupancy;
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
                        FeedSource.Position position = redis.position(stream);
                        feed.epoch = position.epoch();
                        feed.last = position.offset();
                        if (occupancy != null) {
                            occupancy.occupy(stream);
                        }
                    } catch (RuntimeException e) {
                        feed.removed = true;
                        try {
                            redis.unsubscribe(keys.channel(stream)); // in case the subscription was made
                        } finally {
                            feeds.remove(stream, feed); // after it, as in detach
                        }
                        throw e;
                    }
                }
                subscribe.accept(feed.last);
                feed.refs++;
                return feed.last;
            }
        }
    }

    /**
     * A local subscriber of {@code stream} is gone; the last one unsubscribes this node from the channel. The
     * unsubscribe is queued on the pub/sub connection (it does not wait) before the feed leaves the map: a later
     * attach makes a new feed only after that, so its subscribe goes out after the unsubscribe. Queued after the
     * feed was gone, it could follow that subscribe and leave the node deaf to a stream it has subscribers of.
     */
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
            if (occupancy != null) {
                occupancy.vacate(stream); // before a later attach can make a new feed, and so a new edge
            }
            try {
                redis.unsubscribe(keys.channel(stream));
            } finally {
                feeds.remove(stream, feed);
            }
        }
    }

    /** A pub/sub message, on Lettuce's event loop: only queued here (or dropped and made up for, see above). */
    void received(String channel, String payload) {
        String stream = keys.streamOf(channel);
        if (stream != null && !payload.isEmpty() && !lanes.offer(stream, () -> dispatch(stream, payload))) {
            behind(stream, payload.charAt(0));
        }
    }

    /** Payloads of streams this node dropped because it was behind; for tests and metrics. */
    long dropped() {
        return dropped.get();
    }

    /**
     * A payload of {@code stream} was dropped: the stream is resynced once its lane gets there (one resync queued at
     * a time; a payload dropped after it started queues the next). Never blocks: called on Lettuce's event loop too.
     */
    private void behind(String stream, char kind) {
        dropped.incrementAndGet();
        Feed feed = feeds.get(stream);
        if (feed == null) {
            return; // no local subscriber any more: nothing to make up for
        }
        if ((kind == 'j' || kind == 'l') && feed.presenceLostSince == 0) {
            feed.presenceLostSince = System.currentTimeMillis() - PRESENCE_MARGIN_MILLIS;
        }
        if (feed.resyncQueued.compareAndSet(false, true)) {
            LOG.warning(() -> "jcable: this node is behind on stream " + stream + "; dropping what Redis pushes for"
                    + " it and catching up from its history");
            lanes.execute(stream, () -> resync(stream, feed));
        }
    }

    private void resync(String stream, Feed feed) {
        synchronized (feed) {
            feed.resyncQueued.set(false);
            if (feed.removed) {
                return;
            }
            long since = feed.presenceLostSince;
            if (since != 0) {
                feed.presenceLostSince = 0;
                listener.presenceLost(stream, since);
            }
            try {
                bringUpToDate(stream, feed);
            } catch (RuntimeException e) {
                // Redis is away: the next message reveals the gap and fills it, as after an outage
                LOG.log(Level.FINE, "jcable: resync of " + stream + " failed", e);
            }
        }
    }

    /**
     * This node is subscribed to {@code channel}: the first time, or again after the pub/sub connection came back
     * (Lettuce's reconnect, or a new connection after a silent hang). Messages published while it was down never
     * arrived, so the stream reads its position and fills what it missed; presence events are not kept, so if the
     * stream had a transition since {@code aliveAt} (the last sign of life of the old connection), the local
     * subscribers are told to fetch presence afresh, and so they are when Redis cannot be read then (the command
     * connection not back yet). After a subscription {@link #attach} made there is nothing to fill.
     */
    void subscribed(String channel, long aliveAt) {
        String stream = keys.streamOf(channel);
        if (stream != null) {
            lanes.execute(stream, () -> catchUp(stream, aliveAt - PRESENCE_MARGIN_MILLIS));
        }
    }

    private void catchUp(String stream, long since) {
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
            boolean told = false;
            try {
                if (redis.presenceChangedSince(stream, since)) {
                    told = true;
                    listener.presenceLost(stream, since);
                }
                bringUpToDate(stream, feed);
            } catch (RuntimeException e) {
                // Redis cannot be read yet (after a restart, Lettuce can bring the pub/sub connection back a moment
                // before the command connection) and nothing asks again: a transition missed meanwhile would stay
                // missed for good. Unsure counts as changed: the subscribers here are resynced (out_of_sync), restore
                // with history and fetch the member set afresh.
                LOG.log(Level.FINE, "jcable: catching up " + stream + " failed; its subscribers are resynced", e);
                if (!told) {
                    listener.presenceLost(stream, since);
                }
                // the messages missed meanwhile: filled by the next message, or by the retry once Redis answers
                feed.catchUpOwed = true;
                catchUpsOwed.set(true);
            }
        }
    }

    /**
     * Redis answers again (RedisLink's liveness echo was published): each stream whose catch-up could not read it
     * is brought up to date on its lane, so that what a quiet stream missed does not wait for its next message.
     */
    void retryCatchUps() {
        if (!catchUpsOwed.getAndSet(false)) {
            return;
        }
        feeds.forEach((stream, feed) -> {
            if (feed.catchUpOwed) {
                lanes.execute(stream, () -> {
                    synchronized (feed) {
                        if (feed.removed || !feed.catchUpOwed) {
                            return;
                        }
                        try {
                            bringUpToDate(stream, feed);
                            feed.catchUpOwed = false;
                        } catch (RuntimeException e) {
                            catchUpsOwed.set(true); // tried again at the next echo
                            LOG.log(Level.FINE, "jcable: catching up " + stream + " failed again", e);
                        }
                    }
                });
            }
        });
    }

    /**
     * Redis lost its data (RedisPresence's data mark): every stream here is told that presence was lost from
     * {@code sinceMillis}, on its lane, so that its subscribers fetch the member set afresh.
     */
    void presenceLostEverywhere(long sinceMillis) {
        for (String stream : feeds.keySet()) {
            lanes.execute(stream, () -> {
                Feed feed = feeds.get(stream);
                if (feed != null) {
                    synchronized (feed) {
                        if (!feed.removed) {
                            listener.presenceLost(stream, sinceMillis);
                        }
                    }
                }
            });
        }
    }

    /** The streams this node has subscribers of whose names start with {@code prefix}, sorted. */
    java.util.Set<String> streams(String prefix) {
        return dev.jcable.broker.StreamNames.startingWith(feeds.keySet(), prefix);
    }

    /** Delivers what the stream has beyond what this node delivered; the caller holds the feed's lock. */
    private void bringUpToDate(String stream, Feed feed) {
        FeedSource.Position position = redis.position(stream);
        if (!position.epoch().equals(feed.epoch)) {
            newEpoch(stream, feed, position.epoch());
        }
        if (position.offset() > feed.last) {
            fill(stream, feed, position.offset());
        }
    }

    int streams() {
        return feeds.size();
    }

    @Override
    public void whileSubscribed(String stream, Runnable action) {
        Feed feed = feeds.get(stream);
        if (feed != null) {
            synchronized (feed) {
                if (!feed.removed) {
                    action.run();
                }
            }
        }
    }

    /** This node's subscribers of {@code stream} (attaches not detached yet). */
    @Override
    public int subscribers(String stream) {
        Feed feed = feeds.get(stream);
        if (feed == null) {
            return 0;
        }
        synchronized (feed) {
            return feed.removed ? 0 : feed.refs;
        }
    }

    /** The channels of the streams this node is subscribed to. */
    List<String> channels() {
        return feeds.keySet().stream().map(keys::channel).toList();
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
            if (!listener.accepts(stream)) {
                behind(stream, payload.charAt(0)); // its fan-outs are too far behind: made up for later
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
            newEpoch(stream, feed, message.epoch());
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

    /**
     * The stream was forgotten (its offset expired, was evicted or lost with Redis's data) and started again: a new
     * sequence from 1, which the local subscribers' positions must no longer hold back. From "" (attached before the
     * stream's first message) there was nothing to hold back.
     */
    private void newEpoch(String stream, Feed feed, String epoch) {
        if (!feed.epoch.isEmpty()) {
            LOG.fine(() -> "jcable: stream " + stream + " started a new epoch " + epoch + " after " + feed.epoch);
            listener.epochChanged(stream);
        }
        feed.epoch = epoch;
        feed.last = 0;
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
}
