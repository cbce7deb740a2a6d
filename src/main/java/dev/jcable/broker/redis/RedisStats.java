package dev.jcable.broker.redis;

import dev.jcable.broker.BrokerStats;
import dev.jcable.broker.BrokerUnavailableException;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The cluster's presence figures for the metrics, counted in Redis when scraped: every node reports the same ones.
 * Streams: the sweep index, which holds exactly the streams with presence records. Members: one {@code ZCARD} of each
 * stream's member set, sent together a page at a time; the stream's keys are in its own hash slot, so no one script
 * could sum them. Bounded per scrape: at most {@code maxStreams} streams are counted (beyond that the member figure
 * is a lower bound, said once in the log), the whole count gets one command timeout, and its result is kept for
 * {@link #FRESH_NANOS}, so the four gauges of one scrape, a second scraper and the stats line cost Redis one count.
 * One count at a time: a caller arriving meanwhile gets the last figures at once instead of waiting behind it.
 *
 * <p>History has no such index (each stream's Redis Stream and meta hash stand alone, and keeping one would cost
 * every publish a command), and a {@code SCAN} of the keyspace per scrape is out of the question: its figures stay
 * unknown with {@code broker=redis}.
 */
final class RedisStats {

    private static final Logger LOG = Logger.getLogger(RedisStats.class.getName());
    /** The most streams whose members one count adds up (docs/operations.md). */
    static final int MAX_STREAMS = 10_000;
    /** Member counts in flight at once. */
    static final int PAGE = 1_000;
    /** How long figures are reused before Redis is asked again. */
    static final long FRESH_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final RedisKeys keys;
    private final RedisCalls redis;
    private final LongSupplier nanoClock;
    private final int maxStreams;
    private final ReentrantLock counting = new ReentrantLock();
    private final AtomicBoolean saidLowerBound = new AtomicBoolean();
    private volatile Counted last;

    RedisStats(RedisKeys keys, RedisCalls redis, LongSupplier nanoClock, int maxStreams) {
        this.keys = keys;
        this.redis = redis;
        this.nanoClock = nanoClock;
        this.maxStreams = maxStreams;
    }

    /** The figures, counted now unless fresh ones are at hand or another caller is counting. */
    BrokerStats get() {
        Counted known = last;
        if (known != null && nanoClock.getAsLong() - known.at < FRESH_NANOS) {
            return known.stats;
        }
        if (!counting.tryLock()) {
            return known == null ? BrokerStats.UNKNOWN : known.stats;
        }
        try {
            known = last; // counted by another caller just now?
            if (known != null && nanoClock.getAsLong() - known.at < FRESH_NANOS) {
                return known.stats;
            }
            BrokerStats stats = count();
            last = new Counted(stats, nanoClock.getAsLong());
            return stats;
        } finally {
            counting.unlock();
        }
    }

    /**
     * Counts in Redis, within one command timeout in all; unknown when Redis does not answer in time (its health
     * already says it is down: logged here at FINE only).
     */
    private BrokerStats count() {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(redis.timeoutMillis());
        try {
            RedisAsyncCommands<String, String> commands = redis.commands();
            // one range read: a consistent list of streams, at most maxStreams of them (by earliest deadline)
            List<String> streams = redis.awaitWithin(commands.zrange(keys.sweepIndex(), 0, maxStreams - 1)
                    .toCompletableFuture(), "presence streams", left(deadline));
            long streamCount = streams.size() < maxStreams ? streams.size() : Math.max(streams.size(),
                    redis.awaitWithin(commands.zcard(keys.sweepIndex()).toCompletableFuture(), "presence streams",
                            left(deadline)));
            long members = 0;
            for (int from = 0; from < streams.size(); from += PAGE) {
                List<String> page = streams.subList(from, Math.min(streams.size(), from + PAGE));
                @SuppressWarnings("unchecked")
                CompletableFuture<Long>[] cards = new CompletableFuture[page.size()];
                for (int i = 0; i < cards.length; i++) {
                    cards[i] = commands.zcard(keys.presenceMembers(page.get(i))).toCompletableFuture();
                }
                // one wait (and one measured call) per page
                redis.awaitWithin(CompletableFuture.allOf(cards), "presence members", left(deadline));
                for (CompletableFuture<Long> card : cards) {
                    members += card.join();
                }
            }
            if (streamCount > streams.size() && saidLowerBound.compareAndSet(false, true)) {
                LOG.info(() -> "jcable: " + streamCount + " streams have presence; jcable_presence_members counts the"
                        + " members of " + maxStreams + " of them, a lower bound (said once)");
            }
            return new BrokerStats(streamCount, members, -1, -1);
        } catch (BrokerUnavailableException e) {
            LOG.log(Level.FINE, "jcable: presence figures not counted", e);
            return BrokerStats.UNKNOWN;
        }
    }

    /** What is left of the budget, in ms; at least 1 (an await with nothing left times out at once). */
    private static long left(long deadline) {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    }

    /** Whether a count is under way; for tests. */
    boolean counting() {
        return counting.isLocked();
    }

    private record Counted(BrokerStats stats, long at) {
    }
}
