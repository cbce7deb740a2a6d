package dev.jcable.broker.redis;

import dev.jcable.broker.Broadcast;
import io.lettuce.core.Consumer;
import io.lettuce.core.RedisBusyException;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAutoClaimArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.models.stream.ClaimedMessages;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * AnyCable's {@code redisx} broadcast adapter: publications arrive as {@code XADD <stream> * payload <json>} and are
 * read through the consumer group {@code bx}, so each entry is handled by one node of the cluster. An entry is
 * acknowledged and deleted once published; one that could not be (Redis failed meanwhile) stays pending and is taken
 * again by this node before anything newer, and any node takes over entries pending for more than
 * {@link #CLAIM_IDLE_MILLIS} (a dead node's included: what it published of an entry before it died is published
 * again, the one case of a duplicate). The reader
 * blocks on a connection of its own, in one thread from the container's factory, and this node's consumer is
 * removed from the group when it stops.
 */
final class RedisStreamIngress implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RedisStreamIngress.class.getName());
    static final String GROUP = "bx";
    /** How long a read blocks, and how idle a pending entry must be before another consumer takes it (AnyCable's). */
    static final long CLAIM_IDLE_MILLIS = 2000;
    private static final int BATCH = 100;

    private final String stream;
    private final String consumer;
    private final RedisClients clients;
    /** The reader's own connection, opened by the reader (it retries while Redis cannot be reached). */
    private volatile StatefulRedisConnection<String, String> connection;
    private final BroadcastIngress ingress;
    private final Thread reader;
    private volatile boolean running = true;
    /** Entries (of this consumer's pending ones) → how many of their publications were made; reader thread only. */
    private final Map<String, Integer> published = new HashMap<>();
    private boolean failing;

    RedisStreamIngress(RedisClients clients, String stream, BroadcastIngress ingress, ThreadFactory threads) {
        this.stream = stream;
        this.consumer = "jcable-" + Long.toString(new SecureRandom().nextLong() & Long.MAX_VALUE, 36);
        this.clients = clients;
        this.ingress = ingress;
        this.reader = threads.newThread(this::run);
        this.reader.setName("jcable-redisx-" + consumer);
        this.reader.start();
        LOG.info(() -> "jcable: reading broadcasts from the Redis Stream " + stream + " as " + consumer + " of group "
                + GROUP);
    }

    String consumer() {
        return consumer;
    }

    private void run() {
        RedisCommands<String, String> redis = null;
        long claimedAt = 0;
        boolean groupReady = false;
        boolean ownPending = false;
        while (running) {
            try {
                if (redis == null) {
                    redis = open().sync();
                }
                if (!groupReady) {
                    createGroup(redis);
                    groupReady = true;
                }
                if (ownPending) {
                    // what this consumer read and did not acknowledge, before anything newer: in order, at once
                    List<StreamMessage<String, String>> mine = redis.xreadgroup(Consumer.from(GROUP, consumer),
                            XReadArgs.Builder.count(BATCH), XReadArgs.StreamOffset.from(stream, "0"));
                    handle(redis, mine);
                    if (mine.isEmpty()) {
                        ownPending = false;
                        published.clear(); // none of it pending here any more (another node may have claimed it)
                    }
                    continue;
                }
                long now = System.currentTimeMillis();
                if (now - claimedAt >= CLAIM_IDLE_MILLIS) {
                    claimedAt = now;
                    ClaimedMessages<String, String> claimed = redis.xautoclaim(stream,
                            XAutoClaimArgs.Builder.xautoclaim(Consumer.from(GROUP, consumer),
                                    Duration.ofMillis(CLAIM_IDLE_MILLIS), "0-0").count(BATCH));
                    handle(redis, claimed.getMessages());
                }
                List<StreamMessage<String, String>> read = redis.xreadgroup(Consumer.from(GROUP, consumer),
                        XReadArgs.Builder.block(CLAIM_IDLE_MILLIS).count(BATCH),
                        XReadArgs.StreamOffset.lastConsumed(stream));
                handle(redis, read);
                if (failing) {
                    failing = false;
                    LOG.info(() -> "jcable: reading " + stream + " again");
                }
            } catch (RuntimeException e) {
                if (!running) {
                    return;
                }
                groupReady = false; // Redis may have come back empty
                ownPending = true;
                if (!failing) {
                    failing = true;
                    LOG.log(Level.WARNING, "jcable: reading broadcasts from " + stream + " failed; retrying", e);
                }
                pause();
            }
        }
    }

    /** Its own connection: a blocking read would stall every other command on the shared one. */
    private synchronized StatefulRedisConnection<String, String> open() {
        if (!running) {
            throw new IllegalStateException("closed");
        }
        connection = clients.client().connect();
        connection.setTimeout(Duration.ofMillis(CLAIM_IDLE_MILLIS).plus(clients.timeout));
        return connection;
    }

    private void createGroup(RedisCommands<String, String> redis) {
        try {
            redis.xgroupCreate(XReadArgs.StreamOffset.latest(stream), GROUP, XGroupCreateArgs.Builder.mkstream());
        } catch (RedisBusyException e) {
            // BUSYGROUP: another node (or an earlier start) created it
        }
    }

    /**
     * Publishes the entries in order, then acknowledges and deletes those it published, in one round trip each. When
     * a publication fails, what was published is acknowledged and the rest stays pending (taken again first, by the
     * loop above), so nothing is lost; what this consumer published but could not acknowledge (Redis failed in
     * between) is remembered, and acknowledged without being published again. An entry whose payload holds several
     * publications resumes after the last one made.
     */
    private void handle(RedisCommands<String, String> redis, List<StreamMessage<String, String>> messages) {
        List<String> done = new ArrayList<>(messages.size());
        try {
            for (StreamMessage<String, String> message : messages) {
                publish(message);
                done.add(message.getId());
            }
        } finally {
            if (!done.isEmpty()) {
                String[] ids = done.toArray(String[]::new);
                redis.xack(stream, GROUP, ids);
                redis.xdel(stream, ids);
                done.forEach(published::remove);
            }
        }
    }

    /** Publishes what the entry holds beyond what was published of it already; throws when one cannot be made. */
    private void publish(StreamMessage<String, String> message) {
        String payload = message.getBody().get("payload");
        if (payload == null) {
            LOG.warning(() -> "jcable: entry " + message.getId() + " of " + stream + " has no payload field; dropped");
            return;
        }
        List<Broadcast> publications = ingress.parse(payload);
        for (int i = published.getOrDefault(message.getId(), 0); i < publications.size(); i++) {
            try {
                ingress.publish(publications.get(i)); // throws when the broker could not make it: taken again
            } catch (IllegalArgumentException e) {
                // refused for good (its data is too large): taking it again would refuse it again
                LOG.warning(() -> "jcable: dropped a broadcast of entry " + message.getId() + " of " + stream + ": "
                        + e.getMessage());
            }
            published.put(message.getId(), i + 1);
        }
    }

    private void pause() {
        try {
            TimeUnit.MILLISECONDS.sleep(500); // between retries while Redis is away, not a wait for a condition
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    /** Stops reading, leaves the group (its pending entries go to the other nodes' claims), and ends the thread. */
    @Override
    public void close() {
        synchronized (this) {
            running = false;
            if (connection != null) {
                connection.close(); // interrupts the blocked read
            }
        }
        try {
            reader.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Removes this consumer from the group, on the command connection (the reader's is closed by then), unless it
     * still has pending entries: deleting it would make those unclaimable, so it stays for another node to claim them.
     */
    void leaveGroup(RedisCalls redis) {
        try {
            List<io.lettuce.core.models.stream.PendingMessage> pending = redis.await(redis.commands().xpending(stream,
                    Consumer.from(GROUP, consumer), io.lettuce.core.Range.create("-", "+"),
                    io.lettuce.core.Limit.from(1)).toCompletableFuture(), "xpending");
            if (pending.isEmpty()) {
                redis.await(redis.commands().xgroupDelconsumer(stream, Consumer.from(GROUP, consumer))
                        .toCompletableFuture(), "xgroup delconsumer");
            }
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "jcable: could not remove consumer " + consumer + " from " + stream, e);
        }
    }
}
