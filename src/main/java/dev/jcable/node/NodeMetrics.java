package dev.jcable.node;

import dev.jcable.broker.Broker;
import dev.jcable.broker.BrokerStats;
import dev.jcable.hub.Hub;
import dev.jcable.metrics.CableMetrics;
import dev.jcable.metrics.Counter;
import dev.jcable.session.CableSession;
import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * A node's gauges and its periodic stats line. A scrape costs the same at 10 connections as at 10,000, and the same
 * with one stream as with 3,000 (docs/operations.md, "What it costs"): every gauge reads a figure kept as things
 * change (sizes of concurrent maps, counters the broker keeps on join, leave and publish, unique identities counted
 * on open and close), never a walk under locks. The two outbox gauges are the exception that cannot be kept cheaply
 * (each connection's backlog changes with every frame), so they are sampled: one walk of the connections every
 * {@link #SAMPLE_MILLIS} on the scheduler, whatever the scrapes. With {@code broker=redis} the broker counts presence
 * in Redis, at most every few seconds and one count at a time ({@code RedisStats}). The stats line
 * ({@code stats_refresh_interval}) logs the same figures at INFO with the message rates since the previous line.
 */
final class NodeMetrics implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Node.class.getName());

    private final Collection<CableSession> sessions;
    private final Hub hub;
    private final Broker broker;
    /** How often the outbox gauges are sampled. */
    static final long SAMPLE_MILLIS = 5_000;

    private final CableMetrics.Gauges gauges = new CableMetrics.Gauges();
    /** Each counted connection with the identifiers it was counted under; and how many connections each has. */
    private final ConcurrentHashMap<CableSession, String> counted = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Integer> identities = new ConcurrentHashMap<>();
    private volatile long pendingSum;
    private volatile long pendingMax;
    private ScheduledFuture<?> sampleTask;
    private ScheduledFuture<?> statsTask;
    private long lastAt;
    private long lastIn;
    private long lastOut;
    private long lastBroadcasts;

    NodeMetrics(Collection<CableSession> sessions, Hub hub, Broker broker) {
        this.sessions = sessions;
        this.hub = hub;
        this.broker = broker;
        gauges.add("anycable_go_clients_num", "The number of active clients", sessions::size)
                .add("anycable_go_clients_uniq_num",
                        "The number of unique clients (with respect to connection identifiers)", this::uniqueClients)
                .add("anycable_go_broadcast_streams_num", "The number of active broadcasting streams",
                        hub::streamCount)
                .add("jcable_presence_streams",
                        "Streams with presence members (broker=redis: the cluster's, the same on every node)",
                        () -> known(broker.stats().presenceStreams()))
                .add("jcable_presence_members",
                        "Presence members of every stream (broker=redis: the cluster's, the same on every node)",
                        () -> known(broker.stats().presenceMembers()))
                .add("jcable_history_streams", "Streams with an offset and history (NaN with broker=redis)",
                        () -> known(broker.stats().historyStreams()))
                .add("jcable_history_messages", "Messages kept for reconnecting clients (NaN with broker=redis)",
                        () -> known(broker.stats().historyMessages()))
                .add("jcable_outbox_pending_chars", "Characters waiting to be written to clients, all together",
                        () -> pendingSum)
                .add("jcable_outbox_pending_max_chars", "Characters waiting to be written to the most lagging client",
                        () -> pendingMax);
    }

    /** Samples the outbox gauges now and then every {@link #SAMPLE_MILLIS} on {@code scheduler}, until closed. */
    void sampleEvery(ScheduledExecutorService scheduler) {
        sampleOutboxes();
        sampleTask = scheduler.scheduleAtFixedRate(new OutboxSampler(), SAMPLE_MILLIS, SAMPLE_MILLIS,
                TimeUnit.MILLISECONDS);
    }

    /** The sampling task, named so that it can be told from the stats line's in the scheduler's queue. */
    private final class OutboxSampler implements Runnable {
        @Override
        public void run() {
            sampleOutboxes();
        }

        @Override
        public String toString() {
            return "jcable outbox sampler";
        }
    }

    /** One walk of the connections: what waits to be written, all together and for the one furthest behind. */
    void sampleOutboxes() {
        long sum = 0;
        long max = 0;
        for (CableSession session : sessions) {
            long pending = session.pendingChars();
            sum += pending;
            max = Math.max(max, pending);
        }
        pendingSum = sum;
        pendingMax = max;
    }

    /** A connection was admitted (with its final identifiers: after a restore). */
    void opened(CableSession session) {
        String id = session.identifiers();
        if (id != null && counted.putIfAbsent(session, id) == null) {
            identities.merge(id, 1, Integer::sum);
        }
    }

    /** A connection is gone; forgotten once, whatever called it. */
    void closed(CableSession session) {
        String id = counted.remove(session);
        if (id != null) {
            identities.computeIfPresent(id, (k, n) -> n == 1 ? null : n - 1);
        }
    }

    /** Logs the stats line every {@code everyMillis} on {@code scheduler} until {@link #close()}. */
    void logStats(ScheduledExecutorService scheduler, long everyMillis) {
        lastAt = System.nanoTime();
        lastIn = Counter.CLIENT_MSG.count();
        lastOut = Counter.SERVER_MSG.count();
        lastBroadcasts = Counter.BROADCAST_MSG.count();
        statsTask = scheduler.scheduleAtFixedRate(() -> LOG.info(statsLine()), everyMillis, everyMillis,
                TimeUnit.MILLISECONDS);
    }

    /** {@code jcable stats: clients=… streams=… presence_members=… msg_in/s=… msg_out/s=… broadcasts/s=…}. */
    String statsLine() {
        long now = System.nanoTime();
        double seconds = Math.max(1e-3, (now - lastAt) / 1e9);
        long in = Counter.CLIENT_MSG.count();
        long out = Counter.SERVER_MSG.count();
        long broadcasts = Counter.BROADCAST_MSG.count();
        BrokerStats stats = broker.stats();
        String line = String.format(java.util.Locale.ROOT, "jcable stats: clients=%d uniq_clients=%d streams=%d "
                        + "presence_members=%s msg_in/s=%.1f msg_out/s=%.1f broadcasts/s=%.1f",
                sessions.size(), (long) uniqueClients(), hub.streamCount(),
                stats.presenceMembers() < 0 ? "n/a" : String.valueOf(stats.presenceMembers()),
                (in - lastIn) / seconds, (out - lastOut) / seconds, (broadcasts - lastBroadcasts) / seconds);
        lastAt = now;
        lastIn = in;
        lastOut = out;
        lastBroadcasts = broadcasts;
        return line;
    }

    private double uniqueClients() {
        return identities.size();
    }

    private static double known(long value) {
        return value < 0 ? Double.NaN : value;
    }

    @Override
    public void close() {
        if (statsTask != null) {
            statsTask.cancel(false);
        }
        if (sampleTask != null) {
            sampleTask.cancel(false);
        }
        gauges.close();
    }
}
