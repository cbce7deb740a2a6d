package dev.jcable.broker.redis;

import dev.jcable.broker.BrokerListener;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
    /** This node's subscribers of a stream, as the feeds count them. */
    private final Local local;
    /** The streams this node occupies → the count its record carries as info (sent at the last add or renewal). */
    private final Map<String, Integer> held = new ConcurrentHashMap<>();
    private volatile long touchedAt;

    RedisOccupancy(RedisKeys keys, RedisCalls redis, LongSupplier clock, long leaseMillis, String node,
                   BrokerListener listener, Local local) {
        this.local = local;
        this.keys = keys;
        this.redis = redis;
        this.clock = clock;
        this.leaseMillis = leaseMillis;
        this.node = node;
        this.listener = listener;
    }

    /** What the feeds tell of this node's subscribers ({@link StreamFeeds}). */
    interface Local {
        /** This node's subscribers of {@code stream}. */
        int subscribers(String stream);

        /**
         * Runs {@code action} under the stream's feed lock if this node still has subscribers of it: an add sent
         * there cannot overtake the remove of the node's last subscriber leaving.
         */
        void whileSubscribed(String stream, Runnable action);
    }

    /** This node got its first subscriber of {@code stream}; called under the stream's feed lock. */
    void occupy(String stream) {
        held.put(stream, 1);
        add(stream, 1);
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

    /** Adds (or renews) this node's record, with its subscriber count as the record's info. */
    private CompletableFuture<List<String>> add(String stream, int subscribers) {
        return report(stream, redis.async(RedisScripts.PRESENCE_ADD, keys.occupancy(stream), stream,
                keys.occupancyChannel(), node, node, Integer.toString(subscribers), Long.toString(leaseMillis),
                Integer.toString(Integer.MAX_VALUE)));
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

    /**
     * Renews this node's records (every half lease): a record whose subscriber count changed since it was sent is
     * added again with the new count (which renews it too), the others are touched; those Redis no longer has are
     * added again.
     */
    void touch() {
        Map<String, CompletableFuture<List<String>>> touched = new HashMap<>();
        List<CompletableFuture<List<String>>> added = new java.util.concurrent.CopyOnWriteArrayList<>();
        held.forEach((stream, sent) -> {
            int now = local.subscribers(stream);
            if (now > 0 && now != sent) {
                local.whileSubscribed(stream, () -> {
                    if (held.replace(stream, sent, now)) {
                        added.add(add(stream, now));
                    }
                });
            } else {
                touched.put(stream, redis.async(RedisScripts.PRESENCE_TOUCH, keys.occupancy(stream), stream,
                        Long.toString(leaseMillis), node));
            }
        });
        added.forEach(call -> redis.await(call, "occupancy renewal"));
        touched.forEach((stream, call) -> {
            if (!redis.await(call, "occupancy renewal").isEmpty()) {
                local.whileSubscribed(stream, () -> {
                    Integer sent = held.get(stream);
                    if (sent != null) {
                        add(stream, sent); // Redis lost it
                    }
                });
            }
        });
        touchedAt = clock.getAsLong();
    }

    /** The other nodes' subscribers of {@code stream}, as their records' info said at their last renewal. */
    int othersSubscriptions(String stream) {
        Map<String, String> counts = redis.await(redis.commands().hgetall(keys.occupancy(stream)[2])
                .toCompletableFuture(), "subscriptions");
        int sum = 0;
        for (Map.Entry<String, String> count : counts.entrySet()) {
            if (!count.getKey().equals(node) && !count.getValue().isEmpty()) {
                sum += Integer.parseInt(count.getValue());
            }
        }
        return sum;
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
        return dev.jcable.broker.StreamNames.startingWith(all, prefix);
    }

    /** Whether {@code stream} has a record: one ZSCORE. */
    boolean occupied(String stream) {
        return redis.await(redis.commands().zscore(keys.occupancyIndex(), stream).toCompletableFuture(),
                "occupied") != null;
    }

    /** On undeploy: this node's records go at once (their edges reported), rather than with their lease. */
    void stop() {
        List<CompletableFuture<List<String>>> calls = new java.util.ArrayList<>();
        for (String stream : List.copyOf(held.keySet())) {
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
