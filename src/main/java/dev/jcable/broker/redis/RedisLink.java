package dev.jcable.broker.redis;

import dev.jcable.broker.BrokerUnavailableException;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The Redis broker's lifecycle, apart from what the broker does ({@link RedisBroker}): connecting without blocking the
 * deployment (and retrying while Redis cannot be reached), the pub/sub connection's listener (stream channels to
 * {@link StreamFeeds}, the legacy broadcast channel to its ingress), the broadcast adapters, the periodic tasks and
 * what they say about Redis's health, and the stop.
 */
final class RedisLink {

    private static final Logger LOG = Logger.getLogger(RedisLink.class.getName());
    /** How often a node that started while Redis could not be reached tries to connect. */
    static final long CONNECT_RETRY_MILLIS = 1000;
    /** How often the node publishes on its own liveness channel, which its pub/sub connection must bring back. */
    static final long ALIVE_MILLIS = 1000;
    /** How long without its liveness echo (while publishing works) before the pub/sub connection is replaced. */
    static final long ALIVE_TIMEOUT_MILLIS = 5000;

    private final ThreadFactory threads;
    private final Executor executor;
    private final ScheduledExecutorService scheduler;
    private final RedisClients clients;
    private final RedisCalls calls;
    private final List<ScheduledFuture<?>> timers = new ArrayList<>();
    private final AtomicBoolean healthy = new AtomicBoolean(true);
    /** True while broadcasts of the Redis channel ingress are dropped (said once per episode). */
    private final AtomicBoolean ingressBehind = new AtomicBoolean();
    /** One lane: publications arriving on the ingress channel are handled in the order they were published. */
    private final Lanes ingressLane;
    private volatile BroadcastIngress pubsubIngress;
    private volatile String ingressChannel;
    /** The broadcast adapters to start once connected; guarded by this. */
    private Ingress ingress;
    private RedisStreamIngress streamIngress;
    private boolean stopped;
    private StreamFeeds feeds;
    /** This node's liveness channel ({@code <prefix>:alive:<random>}): only this node subscribes to it. */
    private String aliveChannel;
    /**
     * The cluster's control channel (remote commands), subscribed with the liveness channel before the node counts as
     * connected: a command reaches every ready node; one sent while a node is away is not made up for, as in AnyCable.
     */
    private String controlChannel;
    private Consumer<String> control;
    /** Run once connected, before the node counts as healthy (the presence data mark, see RedisPresence). */
    private Runnable connected;
    /** When the pub/sub connection last delivered this node's liveness echo (epoch millis). */
    private volatile long aliveAt = System.currentTimeMillis();
    private volatile long replacedAt;
    /** Since when publishing the echo has worked without a break (epoch millis), 0 after a failure. */
    private volatile long publishingSince;
    /** The listener of the current pub/sub connection; a test can make it deaf ({@link #deafen}). */
    private volatile Listener listener;
    private final java.util.concurrent.atomic.AtomicLong replacements = new java.util.concurrent.atomic.AtomicLong();

    RedisLink(RedisSettings settings, ThreadFactory threads, Executor executor, ScheduledExecutorService scheduler) {
        this.threads = threads;
        this.executor = executor;
        this.scheduler = scheduler;
        this.clients = new RedisClients(settings.url(), threads);
        this.calls = new RedisCalls(clients);
        this.ingressLane = new Lanes(executor, 1);
    }

    RedisClients clients() {
        return clients;
    }

    RedisCalls calls() {
        return calls;
    }

    /** Runs {@code task} every {@code millis} once connected ({@link #periodic}); cancelled by {@link #stop}. */
    void every(String what, long millis, Runnable task) {
        synchronized (timers) {
            timers.add(scheduler.scheduleWithFixedDelay(() -> periodic(what, task), millis, millis,
                    TimeUnit.MILLISECONDS));
        }
    }

    /**
     * Connects in the background: the connections are opened on the executor (never on the deploying thread, see
     * {@link RedisClients}), and until they are, {@link #healthy()} is false. When Redis cannot be reached the node
     * stays up, reports the broker down, and tries again every {@link #CONNECT_RETRY_MILLIS}; nothing is recorded
     * meanwhile (joins and subscriptions are refused), so there is nothing to catch up on once connected.
     */
    void start(StreamFeeds streamFeeds, String aliveChannel, String controlChannel, Consumer<String> control,
               Runnable connected) {
        this.connected = connected;
        this.feeds = streamFeeds;
        this.aliveChannel = aliveChannel;
        this.controlChannel = controlChannel;
        this.control = control;
        every("pub/sub liveness", ALIVE_MILLIS, this::checkAlive);
        executor.execute(() -> tryConnect(true));
    }

    /**
     * Publishes this node's liveness echo (through the command connection, so a failure here is an outage, said by
     * {@link #periodic}); when the pub/sub connection has brought none back for {@link #ALIVE_TIMEOUT_MILLIS} while
     * publishing works, it is silently dead (anycable/anycable#275): a new one replaces it and subscribes to every
     * channel again, and each stream then catches up as after a reconnect (messages from history, presence
     * refetched by its subscribers if it changed since the last echo).
     */
    private void checkAlive() {
        long now = System.currentTimeMillis();
        try {
            calls.await(calls.commands().publish(aliveChannel, Long.toString(now)).toCompletableFuture(), "liveness");
        } catch (RuntimeException e) {
            publishingSince = 0; // an outage: Lettuce reconnects the pub/sub connection by itself once Redis is back
            throw e;
        }
        if (publishingSince == 0) {
            publishingSince = now;
        }
        feeds.retryCatchUps(); // Redis answers: a catch-up that could not read it is made now
        long since = Math.max(Math.max(aliveAt, replacedAt), publishingSince);
        if (now - since > ALIVE_TIMEOUT_MILLIS) {
            replacedAt = now;
            replacements.incrementAndGet();
            LOG.warning(() -> "jcable: the Redis pub/sub connection delivered nothing for " + (now - aliveAt)
                    + " ms while it looked open; replacing it and catching up every stream");
            var fresh = clients.replacePubsub(this::listen);
            // the channels once the new connection is in place, not before: connecting can take long (Redis hung),
            // and a stream attached meanwhile (on the old connection, now closed) must be on the new one too
            List<String> channels = new ArrayList<>(feeds.channels());
            channels.add(aliveChannel);
            channels.add(controlChannel);
            if (pubsubIngress != null) {
                channels.add(ingressChannel);
            }
            calls.await(fresh.async().subscribe(channels.toArray(String[]::new)).toCompletableFuture(),
                    "subscribe again");
        }
    }

    /** How many times a silent pub/sub connection was replaced; for tests and metrics. */
    long pubsubReplacements() {
        return replacements.get();
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
        clients.connect(pubsub -> {
            listen(pubsub);
            // before the node counts as connected (healthy, ready): a remote command published once it is reaches it
            pubsub.sync().subscribe(aliveChannel, controlChannel);
        });
        aliveAt = System.currentTimeMillis();
        try {
            connected.run();
        } catch (BrokerUnavailableException e) {
            LOG.log(Level.FINE, "jcable: Redis went away right after the connect", e); // the next sweep does it
        }
        checkEviction();
        if (ingress != null) {
            startIngressNow();
        }
        return true;
    }

    /** The listener of a pub/sub connection (the first, or one replacing a silent one). */
    private void listen(io.lettuce.core.pubsub.StatefulRedisPubSubConnection<String, String> pubsub) {
        Listener fresh = new Listener();
        listener = fresh;
        pubsub.addListener(fresh);
    }

    /** For tests: the current pub/sub connection stays open but delivers nothing more (a silent hang). */
    void deafen() {
        listener.deaf = true;
    }

    private final class Listener extends RedisPubSubAdapter<String, String> {
        volatile boolean deaf;

            @Override
            public void message(String channel, String message) {
                if (deaf) {
                    return;
                }
                if (channel.equals(aliveChannel)) {
                    aliveAt = System.currentTimeMillis();
                    return;
                }
                if (channel.equals(controlChannel)) {
                    control.accept(message);
                    return;
                }
                BroadcastIngress target = pubsubIngress;
                if (target != null && channel.equals(ingressChannel)) {
                    if (ingressLane.offer(channel, () -> target.deliverLocally(message))) {
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
             * arrived, so the stream is brought up to date from its history. Redis confirms all the channels of one
             * SUBSCRIBE before it delivers anything on them, so {@code aliveAt} is still the old connection's.
             */
            @Override
            public void subscribed(String channel, long count) {
                if (!deaf) {
                    feeds.subscribed(channel, aliveAt);
                }
            }
    }

    /**
     * Redis's eviction policy, checked once per connect: {@code allkeys-*} may evict presence records (which carry
     * no TTL of their own: a member whose deadline was evicted never expires) and stream offsets; {@code noeviction}
     * (writes fail when full, reported as an outage) or a {@code volatile-*} policy (only keys with a TTL: history,
     * offsets, cached sessions) keep presence exact. CONFIG may be disabled (managed Redis): then it is said once.
     */
    private void checkEviction() {
        String policy;
        try {
            policy = calls.await(calls.commands().configGet("maxmemory-policy").toCompletableFuture(),
                    "CONFIG GET maxmemory-policy").get("maxmemory-policy");
        } catch (RuntimeException e) {
            LOG.info(() -> "jcable: cannot read Redis's maxmemory-policy (CONFIG is disabled?): make sure it is"
                    + " noeviction, see docs/cluster.md");
            return;
        }
        if (policy != null && !policy.equals("noeviction")) {
            // volatile-* too: presence keys carry a TTL (so that keys no node renews are forgotten), which makes them
            // candidates for eviction, and a presence key evicted is a member that never leaves or a list gone
            LOG.warning(() -> "jcable: Redis's maxmemory-policy is " + policy + ": when Redis is full it evicts"
                    + " presence records (members may then never leave, or vanish without a leave); use noeviction"
                    + " (docs/cluster.md)");
        }
    }

    /** See {@link RedisBroker#startIngress}. */
    synchronized void startIngress(boolean redis, String channel, boolean redisx, String stream,
                                   BroadcastIngress target) {
        this.ingress = new Ingress(redis, channel, redisx, stream, target);
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
                calls.await(clients.pubsub().async().subscribe(wanted.channel()).toCompletableFuture(),
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
    boolean healthy() {
        return healthy.get() && clients.connected() && clients.commands().isOpen();
    }

    void stop() {
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
            streamIngress.leaveGroup(calls);
        }
        clients.close();
    }
}
