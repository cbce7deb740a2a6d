package dev.jcable.broker.redis;

import dev.jcable.broker.BrokerUnavailableException;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import java.util.ArrayList;
import java.util.List;
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
    void start(StreamFeeds streamFeeds) {
        this.feeds = streamFeeds;
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
