package dev.jcable.session;

import dev.jcable.protocol.Codec;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Sends {@code {"type":"ping","message":<now>}} to every session at its interval. Sessions with the same interval
 * and timestamp precision share one timer and one encoded frame per tick; a timer exists only while it has
 * sessions. So a node pings all its connections in one pass per interval, not with a timer each; the pass only
 * queues (a session's outbox never blocks), so a connection that stopped reading delays no other.
 *
 * <p>With {@link #alongside} the pass also writes the WebSocket ping of {@link Liveness} to each session of the
 * group whose interval is that of the WebSocket pings, in the same write as its JSON ping (a {@link WriteBatch}
 * flushed after each session): one write per connection and interval instead of two.
 */
public final class Pinger {

    private static final Logger LOG = Logger.getLogger(Pinger.class.getName());

    private final ScheduledExecutorService scheduler;
    private final LongSupplier clock;
    private final Map<Key, Group> groups = new ConcurrentHashMap<>();
    private volatile boolean stopped;
    private volatile Liveness liveness;

    public Pinger(ScheduledExecutorService scheduler) {
        this(scheduler, System::currentTimeMillis);
    }

    /** @param clock the pings' timestamps, in epoch milliseconds */
    Pinger(ScheduledExecutorService scheduler, LongSupplier clock) {
        this.scheduler = scheduler;
        this.clock = clock;
    }

    /** From now on each pass also writes {@code liveness}'s WebSocket pings with the JSON ones ({@link Liveness}). */
    public void alongside(Liveness liveness) {
        this.liveness = liveness;
    }

    /** @param precision {@code s}, {@code ms} or {@code ns} */
    public void add(CableSession session, long intervalMillis, String precision) {
        if (intervalMillis <= 0) {
            return; // pi=0: no pings
        }
        groups.compute(new Key(intervalMillis, precision), (key, group) -> {
            if (stopped) {
                return group; // a connection that opened while the node drains gets no timer
            }
            Group g = group != null ? group : new Group(key);
            g.sessions.add(session);
            return g;
        });
    }

    /** Drops a closed session from its group (there are only a few: one per interval and precision in use). */
    public void remove(CableSession session) {
        for (Key key : groups.keySet()) {
            groups.computeIfPresent(key, (k, group) -> {
                if (!group.sessions.remove(session) || !group.sessions.isEmpty()) {
                    return group;
                }
                group.timer.cancel(false);
                return null;
            });
        }
    }

    /** Cancels every timer; a group that a racing {@link #add} creates meanwhile cancels itself at its first tick. */
    public void stop() {
        stopped = true;
        for (Key key : groups.keySet()) {
            groups.computeIfPresent(key, (k, group) -> {
                group.timer.cancel(false);
                return null;
            });
        }
    }

    /** Runs every group's tick now, on the caller's thread: for tests, on an injected clock. */
    void tickNow() {
        groups.forEach((key, group) -> group.tick(key));
    }

    /** Timers scheduled and not cancelled: one per interval and precision in use. */
    int timers() {
        return groups.size();
    }

    private record Key(long intervalMillis, String precision) {
    }

    private final class Group {
        final Set<CableSession> sessions = ConcurrentHashMap.newKeySet();
        final ScheduledFuture<?> timer;

        Group(Key key) {
            timer = scheduler.scheduleAtFixedRate(() -> tick(key), key.intervalMillis, key.intervalMillis,
                    TimeUnit.MILLISECONDS);
        }

        private void tick(Key key) {
            if (stopped) {
                timer.cancel(false);
                return;
            }
            Liveness along = liveness;
            if (along != null && along.pingIntervalMillis() != key.intervalMillis) {
                along = null; // another interval than the WebSocket pings': those go in the liveness round
            }
            try (WriteBatch batch = WriteBatch.open()) {
                long now = clock.getAsLong();
                Frame anycable = null;
                Frame other = null; // another protocol's (Pusher's pusher:ping): all of one dialect share a frame
                for (CableSession session : sessions) {
                    Dialect dialect = session.dialect();
                    if (dialect == Dialect.ANYCABLE) {
                        anycable = anycable != null ? anycable : new Frame(Codec.ping(timestamp(now, key.precision)));
                        session.applicationPing(anycable, now); // held by the batch until its flush below
                    } else {
                        other = other != null ? other : new Frame(dialect.ping(timestamp(now, key.precision)));
                        session.applicationPing(other, now);
                    }
                    if (along != null) {
                        along.pingAlong(session, now); // its write takes the held JSON ping along
                    }
                    batch.flush();
                }
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "jcable: ping tick failed", e);
            }
        }
    }

    static long timestamp(long millis, String precision) {
        return switch (precision) {
            case "ms" -> millis;
            case "ns" -> millis * 1_000_000L;
            default -> millis / 1000;
        };
    }
}
