package dev.jcable.broker;

import dev.jcable.api.Publication;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * Per-stream offsets and bounded history ({@code history_limit} entries, {@code history_ttl} each). Each stream is
 * locked on its own; publishing hands the message on under that lock, so it reaches the fan-out in offset order. A stream
 * keeps its offset for ten history lifetimes after its last message, so offsets stay monotonic while clients may
 * still hold them.
 */
final class HistoryStore {

    /** How many history lifetimes a stream's offset outlives its last message. */
    private static final int RETENTION_FACTOR = 10;

    private final LongSupplier clock;
    private final String epoch;
    private final int limit;
    private final long ttlMillis;
    private final Deadlines deadlines;
    private final ConcurrentHashMap<String, Log> logs = new ConcurrentHashMap<>();

    HistoryStore(LongSupplier clock, String epoch, int limit, long ttlMillis, Deadlines deadlines) {
        this.clock = clock;
        this.epoch = epoch;
        this.limit = limit;
        this.ttlMillis = ttlMillis;
        this.deadlines = deadlines;
    }

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
                if (log.entries.size() > limit) {
                    log.entries.removeFirst();
                }
                log.touched = now;
                if (wasEmpty) {
                    schedule(stream, log, now + ttlMillis);
                }
                deliver.accept(message);
                return;
            }
        }
    }

    long attach(String stream, LongConsumer subscribe) {
        while (true) {
            Log log = log(stream);
            synchronized (log) {
                if (log.removed) {
                    continue;
                }
                subscribe.accept(log.offset);
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
            long keepUntil = log.touched + (log.offset == 0 ? ttlMillis : RETENTION_FACTOR * ttlMillis);
            if (now >= keepUntil) {
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

    private Log log(String stream) {
        return logs.computeIfAbsent(stream, s -> {
            Log log = new Log(clock.getAsLong());
            schedule(s, log, log.touched + ttlMillis);
            return log;
        });
    }

    private void trim(Log log, long now) {
        while (!log.entries.isEmpty() && log.entries.peekFirst().at + ttlMillis <= now) {
            log.entries.removeFirst();
        }
    }

    private void schedule(String stream, Log log, long at) {
        log.deadline = at;
        deadlines.add(at, Deadlines.Kind.HISTORY, stream);
    }

    private record Entry(long at, StreamMessage message) {
    }

    private static final class Log {
        final ArrayDeque<Entry> entries = new ArrayDeque<>();
        long offset;
        long touched;
        long deadline;
        boolean removed;

        Log(long now) {
            touched = now;
        }
    }
}
