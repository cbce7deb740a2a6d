package dev.jcable.broker.redis;

import dev.jcable.broker.Broker;
import dev.jcable.broker.BrokerListener;
import dev.jcable.broker.BrokerSettings;
import dev.jcable.broker.BrokerStats;
import dev.jcable.broker.BrokerUnavailableException;
import dev.jcable.broker.CachedSession;
import dev.jcable.broker.JoinResult;
import dev.jcable.broker.Publication;
import dev.jcable.broker.RemoteCommand;
import dev.jcable.broker.StreamMessage;
import dev.jcable.protocol.PresenceInfo;
import io.lettuce.core.SetArgs;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
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
    private RedisLink link;
    private RedisCalls redis;
    private RedisPresence presence;
    /** Which streams have subscribers cluster-wide, when the settings ask for it; else null. */
    private RedisOccupancy occupancy;
    private RedisStats stats;
    private StreamFeeds feeds;
    /** Where remote commands received on the control channel go. */
    private BrokerListener listener;

    public RedisBroker(RedisSettings redisSettings, BrokerSettings settings, ThreadFactory threads, Executor executor,
                       ScheduledExecutorService scheduler) {
        this.redisSettings = redisSettings;
        this.settings = settings;
        this.threads = threads;
        this.executor = executor;
        this.scheduler = scheduler;
        this.keys = new RedisKeys(redisSettings.prefix());
    }

    /** The lease of a live session's presence: {@code presence_ttl}, at least {@link #MIN_LEASE_MILLIS}. */
    long leaseMillis() {
        return Math.max(settings.presenceTtl().toMillis(), MIN_LEASE_MILLIS);
    }

    /**
     * Starts the broker without waiting for Redis ({@link RedisLink#start}): until it is connected, {@link #healthy()}
     * is false and every operation fails with {@link BrokerUnavailableException}.
     */
    @Override
    public void start(BrokerListener listener) {
        this.listener = listener;
        link = new RedisLink(redisSettings, threads, executor, scheduler);
        redis = link.calls();
        presence = new RedisPresence(keys, redis, System::currentTimeMillis, settings.presenceTtl().toMillis(),
                leaseMillis(), settings.maxMembers(), listener::presenceChanged,
                lost -> feeds.presenceLostEverywhere(lost - StreamFeeds.PRESENCE_MARGIN_MILLIS));
        stats = new RedisStats(keys, redis, System::nanoTime, RedisStats.MAX_STREAMS);
        feeds = new StreamFeeds(keys, new FeedRedis(),
                new Lanes(executor, 2 * Runtime.getRuntime().availableProcessors()));
        feeds.start(listener);
        link.every("presence sweep", SWEEP_MILLIS, presence::sweep);
        link.every("presence renewal", leaseMillis() / 2, presence::touch);
        String node = newEpoch() + newEpoch();
        if (redisSettings.occupancy()) {
            occupancy = new RedisOccupancy(keys, redis, System::currentTimeMillis, leaseMillis(), node, listener,
                    feeds);
            feeds.track(occupancy);
            link.every("occupancy sweep", SWEEP_MILLIS, occupancy::sweep);
            link.every("occupancy renewal", leaseMillis() / 2, occupancy::touch);
        }
        link.start(feeds, keys.aliveChannel(node), keys.control(), this::received, presence::checkMark);
    }

    /** A payload of the control channel: {@code d<1|0>:<identifiers>}, a disconnect with or without reconnect. */
    private void received(String payload) {
        if (payload.length() < 3 || payload.charAt(0) != 'd' || payload.charAt(2) != ':') {
            LOG.fine(() -> "jcable: ignored a control message of an unknown kind: " + payload);
            return;
        }
        listener.command(new RemoteCommand(payload.substring(3), payload.charAt(1) == '1'));
    }

    /**
     * Starts AnyCable's Redis broadcast adapters: {@code redis} ({@code PUBLISH} on {@code channel}, every node
     * receives and delivers locally) and {@code redisx} (the Redis Stream {@code stream}, each entry published once
     * for the cluster). Call after {@link #start}; while Redis cannot be reached they start once it can.
     */
    public void startIngress(boolean redis, String channel, boolean redisx, String stream, BroadcastIngress ingress) {
        link.startIngress(redis, channel, redisx, stream, ingress);
    }

    /** Whether Redis answered the last periodic task and the command connection is up. */
    @Override
    public boolean healthy() {
        return link != null && link.healthy();
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
    public void command(RemoteCommand command) {
        redis.await(redis.commands().publish(keys.control(), "d" + (command.reconnect() ? 1 : 0) + ":"
                + command.identifiers()).toCompletableFuture(), "remote command");
    }

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

    /** One MGET of the streams' last transition times (Redis's clock: {@code pt} in lib.lua); all after data loss. */
    @Override
    public java.util.Set<String> presenceChangedSince(java.util.Collection<String> streams, long sinceMillis) {
        if (streams.isEmpty() || presence.lostSince(sinceMillis)) { // Redis lost its data since: every one did
            return new java.util.HashSet<>(streams);
        }
        List<String> list = List.copyOf(streams);
        String[] times = list.stream().map(stream -> keys.presence(stream)[6]).toArray(String[]::new);
        var values = redis.await(redis.commands().mget(times).toCompletableFuture(), "presence changed since");
        java.util.Set<String> changed = new java.util.HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            if (values.get(i).hasValue() && Long.parseLong(values.get(i).getValue()) >= sinceMillis) {
                changed.add(list.get(i));
            }
        }
        return changed;
    }

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

    @Override
    public int presenceCount(String stream) {
        return presence.count(stream);
    }

    @Override
    public java.util.Set<String> presenceStreams(String prefix) {
        return presence.streams(prefix);
    }

    @Override
    public int subscriptions(String stream) {
        RedisOccupancy tracked = occupancy;
        return feeds.subscribers(stream) + (tracked != null ? tracked.othersSubscriptions(stream) : 0);
    }

    @Override
    public boolean occupied(String stream) {
        RedisOccupancy tracked = occupancy;
        return tracked != null ? tracked.occupied(stream) : feeds.streams(stream).contains(stream);
    }

    /** Cluster-wide with occupancy tracking ({@link RedisSettings#occupancy}); else this node's streams. */
    @Override
    public java.util.Set<String> occupiedStreams(String prefix) {
        RedisOccupancy tracked = occupancy;
        return tracked != null ? tracked.streams(prefix) : feeds.streams(prefix);
    }

    /** Sweeps once now; for tests. */
    long sweep() {
        return presence.sweep();
    }

    /** Renews this node's leases now; for tests. */
    void touch() {
        presence.touch();
    }

    /** Renews this node's occupancy records now; for tests. */
    void touchOccupancy() {
        occupancy.touch();
    }

    /** For tests: this node's pub/sub connection silently stops delivering. */
    void deafenPubsub() {
        link.deafen();
    }

    /** How many times this node replaced a silent pub/sub connection; for tests. */
    long pubsubReplacements() {
        return link.pubsubReplacements();
    }

    /** Streams this node is subscribed to; for tests and metrics. */
    int subscribedStreams() {
        return feeds.streams();
    }

    @Override
    public void stop() {
        if (occupancy != null) {
            occupancy.stop();
        }
        if (link != null) {
            link.stop();
        }
    }

    /** Stops as kill -9 would, nothing removed on the way out (occupancy records end with their lease); for tests. */
    void crash() {
        if (link != null) {
            link.stop();
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
    private final class FeedRedis implements FeedSource {
        @Override
        public void subscribe(String channel) {
            redis.await(link.clients().pubsub().async().subscribe(channel).toCompletableFuture(), "subscribe");
        }

        @Override
        public void unsubscribe(String channel) {
            if (!link.clients().connected()) {
                return; // never subscribed
            }
            link.clients().pubsub().async().unsubscribe(channel).exceptionally(e -> {
                LOG.log(Level.FINE, "jcable: unsubscribing from " + channel + " failed", e);
                return null;
            });
        }

        @Override
        public FeedSource.Position position(String stream) {
            List<Object> reply = redis.call(RedisScripts.STREAM_POSITION, new String[] {keys.meta(stream)});
            return new FeedSource.Position((String) reply.get(0), (Long) reply.get(1));
        }

        @Override
        public Optional<List<StreamMessage>> historyFrom(String stream, String epoch, long offset, long upTo) {
            return RedisBroker.this.historyFrom(stream, epoch, offset, upTo);
        }

        @Override
        public boolean presenceChangedSince(String stream, long sinceMillis) {
            return !RedisBroker.this.presenceChangedSince(List.of(stream), sinceMillis).isEmpty();
        }
    }
}
