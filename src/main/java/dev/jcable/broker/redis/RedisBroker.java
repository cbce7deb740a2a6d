package dev.jcable.broker.redis;

import dev.jcable.broker.Broker;
import dev.jcable.broker.BrokerListener;
import dev.jcable.broker.BrokerSettings;
import dev.jcable.broker.BrokerStats;
import dev.jcable.broker.BrokerUnavailableException;
import dev.jcable.broker.CachedSession;
import dev.jcable.broker.JoinResult;
import dev.jcable.broker.Publication;
import dev.jcable.broker.StreamMessage;
import dev.jcable.protocol.PresenceInfo;
import io.lettuce.core.SetArgs;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The clustered broker: history, restorable sessions and presence in Redis, shared by every node on the same
 * {@code redis_url} and {@code redis_prefix}. Each change is one atomic Lua script that also publishes its effect on
 * the stream's channel; each node subscribes to the channels of the streams it has subscribers for
 * ({@link StreamFeeds}) and delivers what arrives in offset order. Presence records are leased ({@link RedisPresence}):
 * a node that dies stops renewing them and any surviving node's sweep emits their leaves, once.
 */
public final class RedisBroker implements Broker {

    private static final Logger LOG = Logger.getLogger(RedisBroker.class.getName());
    /** How often each node sweeps due presence records. */
    static final long SWEEP_MILLIS = 1000;
    /** How often a node that started while Redis could not be reached tries to connect. */
    static final long CONNECT_RETRY_MILLIS = 1000;
    /** The shortest lease of a live session's presence (renewed every half lease). */
    static final long MIN_LEASE_MILLIS = 2000;
    /** How many history lifetimes a stream's offset outlives its last message (as in the memory broker). */
    private static final int RETENTION_FACTOR = 10;
    private static final String EPOCH_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private final RedisSettings redisSettings;
    private final BrokerSettings settings;
    private final ThreadFactory threads;
    private final Executor executor;
    private final ScheduledExecutorService scheduler;
    private final RedisKeys keys;
    private final SecureRandom random = new SecureRandom();
    private final List<ScheduledFuture<?>> timers = new ArrayList<>();
    private final AtomicBoolean healthy = new AtomicBoolean(true);
    /** True while broadcasts of the Redis channel ingress are dropped (said once per episode). */
    private final AtomicBoolean ingressBehind = new AtomicBoolean();
    private RedisClients clients;
    private RedisCalls redis;
    private RedisPresence presence;
    private RedisStats stats;
    private StreamFeeds feeds;
    /** One lane: publications arriving on the ingress channel are handled in the order they were published. */
    private final Lanes ingressLane;
    private volatile BroadcastIngress pubsubIngress;
    private volatile String ingressChannel;
    /** The broadcast adapters to start once connected; guarded by this. */
    private Ingress ingress;
    private RedisStreamIngress streamIngress;
    private boolean stopped;

    public RedisBroker(RedisSettings redisSettings, BrokerSettings settings, ThreadFactory threads, Executor executor,
                       ScheduledExecutorService scheduler) {
        this.redisSettings = redisSettings;
        this.settings = settings;
        this.threads = threads;
        this.executor = executor;
        this.scheduler = scheduler;
        this.keys = new RedisKeys(redisSettings.prefix());
        this.ingressLane = new Lanes(executor, 1);
    }

    /** The lease of a live session's presence: {@code presence_ttl}, at least {@link #MIN_LEASE_MILLIS}. */
    long leaseMillis() {
        return Math.max(settings.presenceTtl().toMillis(), MIN_LEASE_MILLIS);
    }

    /**
     * Starts the broker without waiting for Redis: the connections are opened on the executor (never on the deploying
     * thread, see {@link RedisClients}), and until they are, {@link #healthy()} is false and every operation fails
     * with {@link BrokerUnavailableException}. When Redis cannot be reached the node stays up, reports the broker
     * down, and tries again every {@link #CONNECT_RETRY_MILLIS}; nothing is recorded meanwhile (joins and
     * subscriptions are refused), so there is nothing to catch up on once connected.
     */
    @Override
    public void start(BrokerListener listener) {
        clients = new RedisClients(redisSettings.url(), threads);
        redis = new RedisCalls(clients);
        presence = new RedisPresence(keys, redis, System::currentTimeMillis, settings.presenceTtl().toMillis(),
                leaseMillis(), settings.maxMembers(), listener::presenceChanged);
        stats = new RedisStats(keys, redis, System::nanoTime, RedisStats.MAX_STREAMS);
        feeds = new StreamFeeds(keys, new FeedRedis(), new Lanes(executor, 2 * Runtime.getRuntime().availableProcessors()));
        feeds.start(listener);
        timers.add(scheduler.scheduleWithFixedDelay(() -> periodic("presence sweep", presence::sweep),
                SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS));
        long renew = leaseMillis() / 2;
        timers.add(scheduler.scheduleWithFixedDelay(() -> periodic("presence renewal", presence::touch),
                renew, renew, TimeUnit.MILLISECONDS));
        executor.execute(() -> tryConnect(true));
    }

    /** One attempt to connect; a failed one is tried again in {@link #CONNECT_RETRY_MILLIS}. */
    private void tryConnect(boolean first) {
        try {
            if (connect() && !first) {
                LOG.info("jcable: Redis answers; this node has joined the cluster");
            }
        } catch (BrokerUnavailableException e) {
            if (first) {
                healthy.set(false); // until a periodic task succeeds
                LOG.warning(() -> e.getMessage() + "; the node runs without it (broker down) and connects once it"
                        + " answers");
            } else {
                LOG.log(Level.FINE, "jcable: Redis still cannot be reached", e);
            }
            ScheduledFuture<?> retry = scheduler.schedule(() -> executor.execute(() -> tryConnect(false)),
                    CONNECT_RETRY_MILLIS, TimeUnit.MILLISECONDS);
            synchronized (timers) {
                timers.removeIf(ScheduledFuture::isDone);
                timers.add(retry);
            }
        }
    }

    /**
     * Opens the connections and starts what waits for them; throws while Redis cannot be reached.
     *
     * @return false when the broker was stopped meanwhile
     */
    private synchronized boolean connect() {
        if (stopped) {
            return false;
        }
        clients.connect(pubsub -> pubsub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                BroadcastIngress ingress = pubsubIngress;
                if (ingress != null && channel.equals(ingressChannel)) {
                    if (ingressLane.offer(channel, () -> ingress.deliverLocally(message))) {
                        ingressBehind.set(false);
                    } else if (ingressBehind.compareAndSet(false, true)) {
                        // the legacy adapter is at most once, as in AnyCable: nothing to make up for
                        LOG.warning(() -> "jcable: this node is " + Lanes.LIMIT + " broadcasts behind on the Redis"
                                + " channel " + channel + "; dropping them until it catches up");
                    }
                } else {
                    feeds.received(channel, message);
                }
            }

            /**
             * Also after a reconnect, when Lettuce subscribes again by itself: what was published meanwhile never
             * arrived, so the stream is brought up to date from its history.
             */
            @Override
            public void subscribed(String channel, long count) {
                feeds.subscribed(channel);
            }
        }));
        if (ingress != null) {
            startIngressNow();
        }
        return true;
    }

    /**
     * Starts AnyCable's Redis broadcast adapters: {@code redis} ({@code PUBLISH} on {@code channel}, every node
     * receives and delivers locally) and {@code redisx} (the Redis Stream {@code stream}, each entry published once
     * for the cluster). Call after {@link #start}; while Redis cannot be reached they start once it can.
     */
    public synchronized void startIngress(boolean redis, String channel, boolean redisx, String stream,
                                          BroadcastIngress ingress) {
        this.ingress = new Ingress(redis, channel, redisx, stream, ingress);
        if (clients.connected()) {
            startIngressNow();
        }
    }

    private void startIngressNow() {
        Ingress wanted = ingress;
        if (wanted.pubsub()) {
            ingressChannel = wanted.channel();
            pubsubIngress = wanted.target();
            try {
                redis.await(clients.pubsub().async().subscribe(wanted.channel()).toCompletableFuture(),
                        "subscribe " + wanted.channel());
                LOG.info(() -> "jcable: receiving broadcasts published on the Redis channel " + wanted.channel());
            } catch (BrokerUnavailableException e) {
                // Redis went away again right after the connect; rare enough to say so rather than retry
                LOG.log(Level.WARNING, "jcable: could not subscribe to the Redis channel " + wanted.channel(), e);
            }
        }
        if (wanted.stream() && streamIngress == null) {
            streamIngress = new RedisStreamIngress(clients, wanted.streamName(), wanted.target(), threads);
        }
    }

    /** The broadcast adapters asked for. */
    private record Ingress(boolean pubsub, String channel, boolean stream, String streamName,
                           BroadcastIngress target) {
    }

    /** Runs a timer task; a Redis outage is logged once when it starts and once when it ends. */
    private void periodic(String what, Runnable task) {
        if (!clients.connected()) {
            return; // not connected yet: said once by tryConnect, and healthy() is false meanwhile
        }
        try {
            task.run();
            if (healthy.compareAndSet(false, true)) {
                LOG.info(() -> "jcable: Redis is back (" + what + " works again)");
            }
        } catch (RuntimeException e) {
            if (healthy.compareAndSet(true, false)) {
                LOG.log(Level.WARNING, "jcable: " + what + " failed; retrying until Redis answers", e);
            } else {
                LOG.log(Level.FINE, "jcable: " + what + " failed again", e);
            }
        }
    }

    /** Whether Redis answered the last periodic task and the command connection is up. */
    @Override
    public boolean healthy() {
        return healthy.get() && clients != null && clients.connected() && clients.commands().isOpen();
    }

    /**
     * The cluster's presence figures (the same on every node), counted in Redis at most every few seconds; history's
     * stay unknown ({@link RedisStats}).
     */
    @Override
    public BrokerStats stats() {
        RedisStats counter = stats;
        return counter == null ? BrokerStats.UNKNOWN : counter.get();
    }

    /** A counter of its own over this broker's connection; for tests (a clock to age its figures, a cap). */
    RedisStats newStats(LongSupplier nanoClock, int maxStreams) {
        return new RedisStats(keys, redis, nanoClock, maxStreams);
    }

    @Override
    public String epoch() {
        return "per-stream";
    }

    // ---- streams and history ------------------------------------------------------------------------

    @Override
    public void publish(Publication publication) {
        String stream = publication.stream();
        long ttl = Math.max(1, settings.historyTtl().toMillis());
        redis.call(RedisScripts.PUBLISH, keys.history(stream), keys.channel(stream), publication.data(),
                PubSubPayloads.exclude(publication.excludeSocket()),
                Integer.toString(settings.historyLimit()), Long.toString(ttl), Long.toString(RETENTION_FACTOR * ttl),
                newEpoch());
    }

    /** One PUBLISH on the stream's channel: {@code t<exclude>:<data>}, never stored. */
    @Override
    public void whisper(Publication publication) {
        String exclude = PubSubPayloads.exclude(publication.excludeSocket());
        redis.await(redis.commands().publish(keys.channel(publication.stream()), "t" + exclude + ":"
                + publication.data()).toCompletableFuture(), "whisper");
    }

    @Override
    public long attach(String stream, LongConsumer subscribe) {
        return feeds.attach(stream, subscribe);
    }

    @Override
    public void detach(String stream) {
        feeds.detach(stream);
    }

    @Override
    public Optional<List<StreamMessage>> historyFrom(String stream, String epoch, long offset, long upTo) {
        return history(stream, "from", epoch, offset, upTo);
    }

    @Override
    public List<StreamMessage> historySince(String stream, long sinceSeconds, long upTo) {
        return history(stream, "since", Long.toString(sinceSeconds * 1000), 0, upTo).orElse(List.of());
    }

    private Optional<List<StreamMessage>> history(String stream, String mode, String from, long offset, long upTo) {
        List<Object> reply = redis.call(RedisScripts.HISTORY, keys.history(stream), mode, from, Long.toString(offset),
                Long.toString(upTo), Long.toString(Math.max(1, settings.historyTtl().toMillis())));
        if (!"ok".equals(reply.get(0))) {
            return Optional.empty();
        }
        String epoch = (String) reply.get(1);
        List<StreamMessage> messages = new ArrayList<>((reply.size() - 2) / 3);
        for (int i = 2; i + 2 < reply.size(); i += 3) {
            String exclude = (String) reply.get(i + 2);
            messages.add(new StreamMessage(stream, (String) reply.get(i + 1), exclude.isEmpty() ? null : exclude,
                    epoch, Long.parseLong((String) reply.get(i))));
        }
        return Optional.of(messages);
    }

    // ---- sessions -------------------------------------------------------------------------------------

    @Override
    public void cacheSession(String sid, CachedSession session) {
        long ttl = settings.sessionsTtl().toMillis();
        if (ttl <= 0 || session.size() > settings.sessionsMaxSize()) {
            return; // restoring is off, or this one session is larger than all may be (Redis bounds the total)
        }
        // waited for, so that a client reconnecting to another node at once finds it; but never thrown: a session
        // Redis could not keep is merely not restorable (the client starts afresh), and the close goes on
        try {
            redis.await(redis.commands().set(keys.session(sid), SessionBlobs.encode(session), SetArgs.Builder.px(ttl))
                    .toCompletableFuture(), "cache session");
        } catch (BrokerUnavailableException e) {
            LOG.log(Level.FINE, "jcable: session " + sid + " could not be cached", e);
        }
    }

    /** The cached session, or empty when there is none or Redis cannot say (the client then starts afresh). */
    @Override
    public Optional<CachedSession> restoreSession(String sid) {
        try {
            String blob = redis.await(redis.commands().get(keys.session(sid)).toCompletableFuture(), "restore session");
            return blob == null ? Optional.empty() : Optional.of(SessionBlobs.decode(blob));
        } catch (BrokerUnavailableException e) {
            LOG.log(Level.FINE, "jcable: session " + sid + " not restored", e);
            return Optional.empty();
        }
    }

    // ---- presence -------------------------------------------------------------------------------------

    @Override
    public JoinResult presenceAdd(String stream, String sid, String pid, String info) {
        return presence.add(stream, sid, pid, info);
    }

    @Override
    public boolean presenceRemove(String stream, String sid) {
        return presence.remove(stream, sid);
    }

    @Override
    public void presenceDisconnected(String sid) {
        presence.disconnected(sid);
    }

    @Override
    public PresenceInfo presenceInfo(String stream) {
        return presence.info(stream);
    }

    /** Sweeps once now; for tests. */
    long sweep() {
        return presence.sweep();
    }

    /** Renews this node's leases now; for tests. */
    void touch() {
        presence.touch();
    }

    /** Streams this node is subscribed to; for tests and metrics. */
    int subscribedStreams() {
        return feeds.streams();
    }

    @Override
    public void stop() {
        synchronized (this) {
            stopped = true; // no connect after this
        }
        synchronized (timers) {
            timers.forEach(timer -> timer.cancel(false));
            timers.clear();
        }
        pubsubIngress = null;
        if (streamIngress != null) {
            streamIngress.close();
            streamIngress.leaveGroup(redis);
        }
        if (clients != null) {
            clients.close();
        }
    }

    private String newEpoch() {
        StringBuilder epoch = new StringBuilder(6);
        for (int i = 0; i < 6; i++) {
            epoch.append(EPOCH_ALPHABET.charAt(random.nextInt(EPOCH_ALPHABET.length())));
        }
        return epoch.toString();
    }

    /** The feeds' blocking calls, on the command connection (or the pub/sub one for (un)subscribing). */
    private final class FeedRedis implements StreamFeeds.Redis {
        @Override
        public void subscribe(String channel) {
            redis.await(clients.pubsub().async().subscribe(channel).toCompletableFuture(), "subscribe");
        }

        @Override
        public void unsubscribe(String channel) {
            if (!clients.connected()) {
                return; // never subscribed
            }
            clients.pubsub().async().unsubscribe(channel).exceptionally(e -> {
                LOG.log(Level.FINE, "jcable: unsubscribing from " + channel + " failed", e);
                return null;
            });
        }

        @Override
        public StreamFeeds.Position position(String stream) {
            List<Object> reply = redis.call(RedisScripts.STREAM_POSITION, new String[] {keys.meta(stream)});
            return new StreamFeeds.Position((String) reply.get(0), (Long) reply.get(1));
        }

        @Override
        public Optional<List<StreamMessage>> historyFrom(String stream, String epoch, long offset, long upTo) {
            return RedisBroker.this.historyFrom(stream, epoch, offset, upTo);
        }
    }
}
