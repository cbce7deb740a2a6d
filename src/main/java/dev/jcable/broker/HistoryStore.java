package dev.jcable.broker;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Per-stream offsets and bounded history ({@code history_limit} entries, {@code history_ttl} each). Each stream is
 * locked on its own; publishing hands the message on under that lock, so it reaches the fan-out in offset order.
 *
 * <p>A stream has a log only once something was published to it: subscribing alone keeps nothing, so a client cannot
 * grow memory by subscribing to names nobody publishes to. A quiet stream is forgotten ten history lifetimes after
 * its last message; a stream that starts again later continues above every offset any forgotten stream reached,
 * so an offset never means two messages within one epoch (a client back with an old position is refused instead of
 * served another message under the same number).
 */
final class HistoryStore {

    private static final Logger LOG = Logger.getLogger(HistoryStore.class.getName());

    /** How many history lifetimes a stream's offset outlives its last message. */
    private static final int RETENTION_FACTOR = 10;

    private final LongSupplier clock;
    private final String epoch;
    private final int limit;
    private final long ttlMillis;
    private final Deadlines deadlines;
    private final ConcurrentHashMap<String, Log> logs = new ConcurrentHashMap<>();
    /** The highest offset of any forgotten stream: a new log starts above it. */
    private final AtomicLong retired = new AtomicLong();
    /** Messages kept for every stream, kept as they are added and dropped (under each stream's lock). */
    private final AtomicLong messages = new AtomicLong();

    HistoryStore(LongSupplier clock, String epoch, int limit, long ttlMillis, Deadlines deadlines) {
        this.clock = clock;
        this.epoch = epoch;
        this.limit = limit;
        this.ttlMillis = ttlMillis;
        this.deadlines = deadlines;
    }

    /**
     * Stores the next offset of the stream, then delivers it. The message is in history before anyone hears of it,
     * and a failing delivery (logged here) neither undoes it nor reaches the publisher: its subscribers can still
     * ask for it.
     */
    void publish(Publication publication, Consumer<StreamMessage> deliver) {
        String stream = publication.stream();
        while (true) {
            Log log = log(stream);
            synchronized (log) {
                if (log.removed) {
                    continue;
                }
                long now = clock.getAsLong();
                boolean wasEmpty = log.entries.isEmpty();
                StreamMessage message = new StreamMessage(stream, publication.data(), publication.excludeSocket(),
                        epoch, ++log.offset);
                log.entries.addLast(new Entry(now, message));
                messages.incrementAndGet();
                if (log.entries.size() > limit) {
                    log.entries.removeFirst();
                    messages.decrementAndGet();
                }
                log.touched = now;
                log.published = true;
                if (wasEmpty) {
                    schedule(stream, log, now + ttlMillis);
                }
                try {
                    deliver.accept(message);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "jcable: delivering offset " + message.offset() + " of stream " + stream
                            + " failed; it stays in history", e);
                }
                return;
            }
        }
    }

    /**
     * Runs {@code subscribe} with the stream's latest offset under the stream's lock and returns that offset. A
     * stream nobody published to gets a log only for the duration of the call, so that a concurrent first
     * publication is either seen live or counted in the returned offset, never both nor neither.
     */
    long attach(String stream, LongConsumer subscribe) {
        while (true) {
            Log log = log(stream);
            synchronized (log) {
                if (log.removed) {
                    continue;
                }
                try {
                    subscribe.accept(log.offset);
                } finally {
                    if (!log.published) {
                        log.removed = true;
                        logs.remove(stream, log);
                    }
                }
                return log.offset;
            }
        }
    }

    Optional<List<StreamMessage>> from(String stream, String requestedEpoch, long offset, long upTo) {
        Log log = logs.get(stream);
        if (!epoch.equals(requestedEpoch) || log == null) {
            return Optional.empty();
        }
        synchronized (log) {
            trim(log, clock.getAsLong());
            if (offset > log.offset || offset < 0) {
                return Optional.empty();
            }
            long lowest = log.entries.isEmpty() ? log.offset + 1 : log.entries.peekFirst().message.offset();
            if (lowest > offset + 1) {
                return Optional.empty(); // messages the client missed are no longer kept
            }
            List<StreamMessage> missed = new ArrayList<>();
            for (Entry entry : log.entries) {
                long o = entry.message.offset();
                if (o > offset && o <= upTo) {
                    missed.add(entry.message);
                }
            }
            return Optional.of(missed);
        }
    }

    List<StreamMessage> since(String stream, long sinceSeconds, long upTo) {
        Log log = logs.get(stream);
        if (log == null) {
            return List.of();
        }
        long sinceMillis = sinceSeconds * 1000;
        synchronized (log) {
            trim(log, clock.getAsLong());
            List<StreamMessage> found = new ArrayList<>();
            for (Entry entry : log.entries) {
                // whole seconds, as clients send them: a message of the same second counts
                if (entry.at / 1000 * 1000 >= sinceMillis && entry.message.offset() <= upTo) {
                    found.add(entry.message);
                }
            }
            return found;
        }
    }

    /** Drops expired entries of {@code stream}; forgets the stream once it has been quiet long enough. */
    void expire(String stream, long due) {
        Log log = logs.get(stream);
        if (log == null) {
            return;
        }
        synchronized (log) {
            if (log.removed || log.deadline != due) {
                return; // superseded by a later deadline
            }
            // never earlier than the deadline being worked off: a wall clock that steps back must not re-arm a
            // deadline that is already due (that would spin the expiry pass)
            long now = Math.max(clock.getAsLong(), due);
            trim(log, now);
            if (!log.entries.isEmpty()) {
                schedule(stream, log, log.entries.peekFirst().at + ttlMillis);
                return;
            }
            long keepUntil = log.touched + RETENTION_FACTOR * ttlMillis;
            if (now >= keepUntil) {
                retired.accumulateAndGet(log.offset, Math::max); // before the removal a new log's start reads it
                log.removed = true;
                logs.remove(stream, log);
            } else {
                schedule(stream, log, keepUntil);
            }
        }
    }

    int streams() {
        return logs.size();
    }

    /** Messages kept for every stream: one read, kept current by every publish and expiry. */
    long messages() {
        return messages.get();
    }

    private Log log(String stream) {
        return logs.computeIfAbsent(stream, s -> new Log(retired.get()));
    }

    private void trim(Log log, long now) {
        while (!log.entries.isEmpty() && log.entries.peekFirst().at + ttlMillis <= now) {
            log.entries.removeFirst();
            messages.decrementAndGet();
        }
    }

    private void schedule(String stream, Log log, long at) {
        log.deadline = at;
        deadlines.add(at, Deadlines.Kind.HISTORY, stream);
    }

    private record Entry(long at, StreamMessage message) {
    }

    /** One stream's history. Guarded by its own monitor. */
    private static final class Log {
        final ArrayDeque<Entry> entries = new ArrayDeque<>();
        long offset;
        long touched;
        long deadline;
        boolean published;
        boolean removed;

        /** @param base the offset before this log's first message */
        Log(long base) {
            offset = base;
        }
    }
}
