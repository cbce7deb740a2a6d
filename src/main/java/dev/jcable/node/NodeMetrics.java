package dev.jcable.node;

import dev.jcable.broker.Broker;
import dev.jcable.broker.BrokerStats;
import dev.jcable.hub.Hub;
import dev.jcable.metrics.CableMetrics;
import dev.jcable.metrics.Counter;
import dev.jcable.session.CableSession;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongBinaryOperator;
import java.util.logging.Logger;

/**
 * A node's gauges and its periodic stats line. Gauges read sizes the node keeps anyway, when Prometheus scrapes
 * (nothing on the hot path keeps them current; with {@code broker=redis} the broker counts presence in Redis, at most
 * every few seconds and one count at a time, see {@code RedisStats}); the stats line ({@code stats_refresh_interval}) logs the same
 * figures at INFO with the message rates since the previous line.
 */
final class NodeMetrics implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Node.class.getName());

    private final Collection<CableSession> sessions;
    private final Hub hub;
    private final Broker broker;
    private final CableMetrics.Gauges gauges = new CableMetrics.Gauges();
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
                        () -> pending(Long::sum))
                .add("jcable_outbox_pending_max_chars", "Characters waiting to be written to the most lagging client",
                        () -> pending(Math::max));
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
        Set<String> identifiers = new HashSet<>();
        for (CableSession session : sessions) {
            String id = session.identifiers();
            if (id != null) {
                identifiers.add(id);
            }
        }
        return identifiers.size();
    }

    private double pending(LongBinaryOperator combine) {
        long result = 0;
        for (CableSession session : sessions) {
            result = combine.applyAsLong(result, session.pendingChars());
        }
        return result;
    }

    private static double known(long value) {
        return value < 0 ? Double.NaN : value;
    }

    @Override
    public void close() {
        if (statsTask != null) {
            statsTask.cancel(false);
        }
        gauges.close();
    }
}
