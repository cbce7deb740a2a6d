package dev.jcable.broker.redis;

import dev.jcable.broker.BrokerListener;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Which streams have a subscriber somewhere in the cluster (Pusher's occupied channels), kept with the presence
 * scripts on keys of their own ({@link RedisKeys#occupancy}): every node with subscribers of a stream holds one
 * record in it (session and id = this node), leased and renewed as a live session's presence. The first record in
 * makes the stream occupied and the last one out vacates it; each edge is reported once for the cluster, by the node
 * whose script made it: its own record's add or remove, or the sweep that removed a dead node's record.
 *
 * <p>A node's add and remove of one stream are sent from under that stream's feed lock ({@link StreamFeeds}), without
 * waiting: one connection carries them to Redis in that order, and their replies (with the edges) come back in it.
 * Should Redis lose a record or keep a stale one (a restart, a reply lost), the renewal re-adds what this node holds
 * and a stale record ends with its lease: occupancy converges within one lease.
 */
final class RedisOccupancy {

    private static final Logger LOG = Logger.getLogger(RedisOccupancy.class.getName());
    private static final int SWEEP_STREAMS = 500;

    private final RedisKeys keys;
    private final RedisCalls redis;
    private final LongSupplier clock;
    private final long leaseMillis;
    private final String node;
    private final BrokerListener listener;
    private final Set<String> held = ConcurrentHashMap.newKeySet();
    private volatile long touchedAt;

    RedisOccupancy(RedisKeys keys, RedisCalls redis, LongSupplier clock, long leaseMillis, String node,
                   BrokerListener listener) {
        this.keys = keys;
        this.redis = redis;
        this.clock = clock;
        this.leaseMillis = leaseMillis;
        this.node = node;
        this.listener = listener;
    }

    /** This node got its first subscriber of {@code stream}; called under the stream's feed lock. */
    void occupy(String stream) {
        held.add(stream);
        add(stream);
    }

    /** This node lost its last subscriber of {@code stream}; called under the stream's feed lock. */
    void vacate(String stream) {
        held.remove(stream);
        remove(stream);
    }

    private CompletableFuture<List<String>> remove(String stream) {
        return report(stream, redis.async(RedisScripts.PRESENCE_REMOVE, keys.occupancy(stream), stream,
                keys.occupancyChannel(), node));
    }

    private void add(String stream) {
        report(stream, redis.async(RedisScripts.PRESENCE_ADD, keys.occupancy(stream), stream, keys.occupancyChannel(),
                node, node, "", Long.toString(leaseMillis), Integer.toString(Integer.MAX_VALUE)));
    }

    /** Reports the edges in a script's reply ({@code with_events}: count, '<records after>,<j|l…>', result). */
    private CompletableFuture<List<String>> report(String stream, CompletableFuture<List<String>> call) {
        return call.whenComplete((reply, error) -> {
            if (error != null) {
                // the renewal re-adds a record this node holds; one it gave up ends with its lease
                LOG.log(Level.FINE, "jcable: occupancy of " + stream + " not recorded in Redis", error);
                return;
            }
            int count = Integer.parseInt(reply.get(0));
            for (int i = 1; i <= count; i++) {
                String event = reply.get(i);
                int comma = event.indexOf(',');
                int records = Integer.parseInt(event, 0, comma, 10);
                boolean in = event.charAt(comma + 1) == 'j';
                if (in ? records == 1 : records == 0) {
                    listener.occupancyChanged(stream, in);
                }
            }
        });
    }

    /** Renews this node's records (every half lease); adds again those Redis no longer has. */
    void touch() {
        Map<String, CompletableFuture<List<String>>> calls = new HashMap<>();
        for (String stream : held) {
            calls.put(stream, redis.async(RedisScripts.PRESENCE_TOUCH, keys.occupancy(stream), stream,
                    Long.toString(leaseMillis), node));
        }
        calls.forEach((stream, call) -> {
            if (!redis.await(call, "occupancy renewal").isEmpty() && held.contains(stream)) {
                add(stream);
            }
        });
        touchedAt = clock.getAsLong();
    }

    /** Removes the records of nodes that stopped renewing them (every second, as the presence sweep). */
    void sweep() {
        if (clock.getAsLong() - touchedAt > leaseMillis / 2 + 1000) {
            touch(); // this node could not renew for a while: its own records are renewed before any expiry
        }
        List<String> due;
        int rounds = 0;
        do {
            due = redis.call(RedisScripts.PRESENCE_DUE, new String[] {keys.occupancyIndex()},
                    Integer.toString(SWEEP_STREAMS), Long.toString(leaseMillis));
            Map<String, CompletableFuture<List<String>>> calls = new HashMap<>();
            for (String stream : due) {
                calls.put(stream, report(stream, redis.async(RedisScripts.PRESENCE_EXPIRE, keys.occupancy(stream),
                        stream, keys.occupancyChannel(), "1000")));
            }
            calls.values().forEach(call -> redis.await(call, "occupancy sweep"));
        } while (due.size() == SWEEP_STREAMS && ++rounds < 10);
    }

    /** The occupied streams whose names start with {@code prefix}: the index holds exactly the streams with records. */
    Set<String> streams(String prefix) {
        List<String> all = redis.await(redis.commands().zrange(keys.occupancyIndex(), 0, -1).toCompletableFuture(),
                "occupied streams");
        Set<String> streams = new TreeSet<>();
        for (String stream : all) {
            if (stream.startsWith(prefix)) {
                streams.add(stream);
            }
        }
        return streams;
    }

    /** Whether {@code stream} has a record: one ZSCORE. */
    boolean occupied(String stream) {
        return redis.await(redis.commands().zscore(keys.occupancyIndex(), stream).toCompletableFuture(),
                "occupied") != null;
    }

    /** On undeploy: this node's records go at once (their edges reported), rather than with their lease. */
    void stop() {
        List<CompletableFuture<List<String>>> calls = new java.util.ArrayList<>();
        for (String stream : List.copyOf(held)) {
            held.remove(stream);
            calls.add(remove(stream));
        }
        try {
            calls.forEach(call -> redis.await(call, "occupancy on stop"));
        } catch (dev.jcable.broker.BrokerUnavailableException e) {
            LOG.log(Level.FINE, "jcable: occupancy left to its lease on stop", e);
        }
    }
}
