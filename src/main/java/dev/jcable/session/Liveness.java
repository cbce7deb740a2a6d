package dev.jcable.session;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Tells live connections from dead ones. A peer that vanished without closing (network cut, laptop lid, phone in a
 * tunnel) never fails a write until TCP gives up, a quarter of an hour later: the kernel takes the frames. So every
 * connection is asked to prove it is alive, and one that stays silent is handed to {@code dead}.
 *
 * <p>A connection is silent when, for {@code timeout}, it has sent no frame at all (text or pong) since
 * <ul>
 *   <li>a WebSocket ping was written to it (every {@code pingInterval}; browsers and client libraries answer with a
 *       pong on their own), or, without WebSocket pings, a JSON ping went to an extended-protocol client that
 *       answers them with {@code {"command":"pong"}} (anycable-go's {@code pong_timeout}); or</li>
 *   <li>its writes stopped making progress: a write in flight that does not complete means the client takes
 *       nothing, and a ping cannot even reach it.</li>
 * </ul>
 * A client that keeps reading never looks stalled, however busy its connection: a ping goes out only when no write
 * to it is in flight (else the next round tries again), and while its writes complete it is not silent.
 *
 * <p>One timer checks every connection each second. WebSocket pings are written on the executor, in one task per
 * round: Open Liberty writes a ping synchronously, and a client that stopped reading could hold that write; it must
 * not hold the timer (the check still finds that client stalled and closes it, which ends the write). A connection
 * whose transport writes pings as frames of its writes (never blocking) gets its ping from the {@link Pinger}'s
 * pass instead, in the same write as its JSON ping ({@link #pingAlong}), and a round leaves out a connection pinged
 * so within the last interval: one write per connection and interval, not two.
 */
public final class Liveness {

    private static final Logger LOG = Logger.getLogger(Liveness.class.getName());
    private static final long TICK_MILLIS = 1000;

    private final ScheduledExecutorService scheduler;
    private final Executor executor;
    private final LongSupplier clock;
    private final long pingIntervalMillis;
    private final long timeoutMillis;
    private final Consumer<CableSession> dead;
    private final Map<CableSession, Progress> sessions = new ConcurrentHashMap<>();
    private final long tickMillis;
    private final long ticksPerPing;
    private long ticks; // the timer's thread only
    private ScheduledFuture<?> timer;
    private volatile boolean stopped;

    /**
     * @param pingIntervalMillis WebSocket pings every this many ms; 0 for none (then JSON pings of clients that send
     *                           pongs count instead)
     * @param timeoutMillis      how long a connection may stay silent; 0 never closes anyone (pings still go out)
     * @param dead               called on the timer's thread with each connection found dead, once
     */
    public Liveness(ScheduledExecutorService scheduler, Executor executor, LongSupplier clock,
                    long pingIntervalMillis, long timeoutMillis, Consumer<CableSession> dead) {
        this.scheduler = scheduler;
        this.executor = executor;
        this.clock = clock;
        this.pingIntervalMillis = pingIntervalMillis;
        this.timeoutMillis = timeoutMillis;
        this.dead = dead;
        this.tickMillis = pingIntervalMillis > 0 ? Math.min(TICK_MILLIS, pingIntervalMillis) : TICK_MILLIS;
        this.ticksPerPing = pingIntervalMillis > 0 ? Math.max(1, Math.round((double) pingIntervalMillis / tickMillis))
                : 0;
    }

    /** Starts the timer, unless there is nothing to do (no pings and no timeout). */
    public synchronized void start() {
        if (stopped || timer != null || (pingIntervalMillis <= 0 && timeoutMillis <= 0)) {
            return;
        }
        try {
            timer = scheduler.scheduleAtFixedRate(this::tick, tickMillis, tickMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            LOG.log(Level.WARNING, "jcable: the scheduler refused the liveness timer; dead peers are not detected", e);
        }
    }

    /** Watches {@code session} from now on; the wait for its first answer starts with its first ping. */
    public void add(CableSession session) {
        if (!stopped) {
            sessions.put(session, new Progress(session.writesCompleted()));
        }
    }

    public void remove(CableSession session) {
        sessions.remove(session);
    }

    public synchronized void stop() {
        stopped = true;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        sessions.clear();
    }

    long pingIntervalMillis() {
        return pingIntervalMillis;
    }

    /**
     * Writes {@code session}'s WebSocket ping now, on the caller's pass ({@link Pinger}), when its transport takes
     * pings in its writes ({@link FrameWriter#writesPings}: queued, never blocking); otherwise leaves it to the
     * round. A connection pinged here within the last interval and a tick is left out of the rounds.
     */
    void pingAlong(CableSession session, long now) {
        Progress progress = sessions.get(session);
        if (stopped || progress == null || pingIntervalMillis <= 0) {
            return;
        }
        if (protocolPing(session, now, true)) {
            progress.pingedAlongAt = now;
        }
    }

    /** Connections watched; for tests and metrics. */
    int watched() {
        return sessions.size();
    }

    /** One check of every connection, and every {@code pingInterval} a round of pings. */
    void tick() {
        if (stopped) {
            return;
        }
        try {
            long now = clock.getAsLong();
            boolean pingRound = ticksPerPing > 0 && ticks++ % ticksPerPing == 0;
            List<CableSession> toPing = pingRound ? new ArrayList<>(sessions.size()) : null;
            for (Map.Entry<CableSession, Progress> entry : sessions.entrySet()) {
                CableSession session = entry.getKey();
                if (timeoutMillis > 0 && silentFor(session, entry.getValue(), now) >= timeoutMillis) {
                    sessions.remove(session);
                    declareDead(session);
                } else if (pingRound && now - entry.getValue().pingedAlongAt >= pingIntervalMillis + tickMillis) {
                    // not pinged along with its JSON ping within the last interval (and a tick, for the two timers'
                    // jitter: a pass a little late is still the one that pings it)
                    toPing.add(session);
                }
            }
            if (pingRound && !toPing.isEmpty()) {
                executor.execute(() -> ping(toPing));
            }
        } catch (RejectedExecutionException e) {
            LOG.log(Level.FINE, "jcable: the executor refused a round of pings; the next round tries again", e);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "jcable: liveness check failed", e); // never kill the timer
        }
    }

    /** How long {@code session} has been silent (see the class comment), 0 when it is not. */
    private long silentFor(CableSession session, Progress progress, long now) {
        long since = session.unansweredSince(pingIntervalMillis > 0);
        long done = session.writesCompleted();
        if (session.writing() && done == progress.writes) {
            if (progress.stalledAt == 0) {
                progress.stalledAt = now;
            }
            long stalled = Math.max(progress.stalledAt, session.inboundAt()); // a client that talks is not gone
            since = since == 0 ? stalled : Math.min(since, stalled);
        } else {
            progress.stalledAt = 0;
        }
        progress.writes = done;
        return since == 0 ? 0 : Math.max(0, now - since);
    }

    private void declareDead(CableSession session) {
        try {
            dead.accept(session);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "jcable: closing dead session " + session.sid() + " failed", e);
        }
    }

    private void ping(List<CableSession> round) {
        for (CableSession session : round) {
            if (stopped) {
                return;
            }
            protocolPing(session, clock.getAsLong(), false); // false while a write is in flight: its progress counts
        }
    }

    /** {@link CableSession#protocolPing}; a failure is the connection's (it is closing), logged and not thrown. */
    private static boolean protocolPing(CableSession session, long now, boolean asFrame) {
        try {
            return session.protocolPing(now, asFrame);
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "jcable: ping to session " + session.sid() + " failed", e);
            return false;
        }
    }

    /** What the timer saw of one connection's writes at its last check (its thread only), and its last ping along. */
    private static final class Progress {
        long writes;
        long stalledAt;
        volatile long pingedAlongAt = Long.MIN_VALUE / 2; // never: a round pings it

        Progress(long writes) {
            this.writes = writes;
        }
    }
}
