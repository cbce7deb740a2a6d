package dev.jcable.node;

import dev.jcable.api.ConnectionIdentifier;
import dev.jcable.broker.Broadcast;
import dev.jcable.broker.Broker;
import dev.jcable.broker.BrokerSettings;
import dev.jcable.broker.ExpiryTimer;
import dev.jcable.broker.MemoryBroker;
import dev.jcable.broker.redis.RedisBroker;
import dev.jcable.broker.redis.RedisSettings;
import dev.jcable.channels.Channels;
import dev.jcable.config.CableConfig;
import dev.jcable.config.RpcSettings;
import dev.jcable.events.EventSink;
import dev.jcable.events.Notifier;
import dev.jcable.events.PresenceWebhook;
import dev.jcable.events.PusherWebhook;
import dev.jcable.hub.DeliveryPool;
import dev.jcable.hub.Hub;
import dev.jcable.identity.Authenticator;
import dev.jcable.rpc.GrpcRpc;
import dev.jcable.rpc.HttpRpc;
import dev.jcable.rpc.Rpc;
import dev.jcable.rpc.RpcTransport;
import dev.jcable.session.CableSession;
import dev.jcable.session.Liveness;
import dev.jcable.session.Pinger;
import dev.jcable.session.Transports;
import dev.jcable.streams.MessageVerifier;
import dev.jcable.streams.StreamResolver;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The parts of one running node, built from the configuration and the container's resources in the order they need
 * each other (the delivery pool before the broker can deliver, the broker before the commands, the connections
 * last), and stopped in the reverse order. A start that fails part way stops what it had started: a failed deployment
 * leaves no pool, timer, webhook client or Redis connection behind.
 */
final class Wiring {

    /** What the container gives the node; in unit tests stand-ins, with {@code direct} running pools' work inline. */
    record Resources(ManagedScheduledExecutorService scheduler, ManagedExecutorService executor,
                     ManagedThreadFactory threadFactory, Executor direct, String webSocketContainer) {
    }

    /** What the application gives: its channels, its connection identifier (or null), its CDI observers (or null). */
    record Application(Channels channels, ConnectionIdentifier identifier, EventSink events) {
    }

    final Hub hub = new Hub();
    DeliveryPool fanout;
    private ThreadPoolExecutor deliveryThreads;
    private ThreadPoolExecutor eventThreads;
    /** The connections' lanes drain here when they cannot run inline (see Connections). */
    private ThreadPoolExecutor laneThreads;
    StreamResolver resolver;
    Transports transports;
    Broker broker;
    private ExpiryTimer expiryTimer;
    private Pinger pinger;
    private Liveness liveness;
    private OneShots oneShots;
    StreamCommands streams;
    Notifier notifier;
    BrokerOutput output;
    Rpc rpc;
    Connections connections;
    NodeMetrics metrics;

    /**
     * @param rpcTransport how RPC calls travel (tests give one), or null to build it from {@code rpc_host}
     * @param broadcasts where the Redis broadcast adapters ({@code redis}, {@code redisx}) hand what they read
     */
    Wiring(CableConfig config, Resources container, Application application, RpcTransport rpcTransport,
           Consumer<Broadcast> broadcasts) {
        try {
            start(config, container, application, rpcTransport, broadcasts);
        } catch (RuntimeException | Error e) {
            stop();
            throw e;
        }
    }

    private void start(CableConfig config, Resources container, Application application, RpcTransport rpcTransport,
                       Consumer<Broadcast> broadcasts) {
        resolver = new StreamResolver(new MessageVerifier(config.streamsSecret()),
                config.turboStreams() ? new MessageVerifier(config.turboStreamsSecret()) : null,
                config.publicStreams(), config.streamsPresence(), config.streamsWhisper());
        expiryTimer = new ExpiryTimer(container.scheduler(), System::currentTimeMillis);
        // Fan-outs and application events run on plain pools of the container's managed threads, not on the
        // managed executor: every task handed to Payara's managed executor captures thread context by scanning the
        // application's jars, and with fan-outs spread out (a few per second, each done before the next) every
        // publication, join and leave would be such a task. A managed thread carries its context from its
        // creation; the pools end with the deployment (stop()).
        int shards = DeliveryPool.defaultShards();
        Executor deliveries = container.direct();
        Executor events = container.direct();
        if (container.direct() == null) {
            deliveryThreads = pool(shards, container.threadFactory());
            // application events on lanes and threads of their own: a slow observer must not hold up deliveries
            eventThreads = pool(2, container.threadFactory());
            deliveries = deliveryThreads;
            events = eventThreads;
        }
        fanout = new DeliveryPool(deliveries, shards); // before the broker can deliver
        notifier = new Notifier(new DeliveryPool(events, 2),
                application.events() == null ? List.of() : List.of(application.events()),
                PresenceWebhook.configured(config, container.executor(), container.scheduler()),
                PusherWebhook.configured(config, container.executor(), container.scheduler()));
        output = new BrokerOutput(hub, fanout, notifier);
        BrokerSettings settings = new BrokerSettings(config.presenceTtl(), config.presenceMaxMembers(),
                config.historyLimit(), config.historyTtl(), config.sessionsTtl(), config.sessionsMaxSize());
        if ("redis".equals(config.broker())) {
            broker = new RedisBroker(new RedisSettings(config.redisUrl(), config.redisPrefix(),
                    config.pusher().enabled()), settings,
                    container.threadFactory(), container.executor(), container.scheduler());
        } else {
            MemoryBroker memory = new MemoryBroker(System::currentTimeMillis, settings, expiryTimer);
            expiryTimer.setTask(memory::expire);
            broker = memory;
        }
        broker.start(output);
        if (broker instanceof RedisBroker redis) {
            redis.startIngress(config.broadcastAdapters().contains("redis"), config.redisChannel(),
                    config.broadcastAdapters().contains("redisx"), config.redisxStream(),
                    new RedisIngress(broadcasts, output));
        }
        pinger = new Pinger(container.scheduler());
        long nativePings = config.nativePings() ? config.pingInterval().toMillis() : 0;
        liveness = new Liveness(container.scheduler(), container.executor(), System::currentTimeMillis, nativePings,
                config.pongTimeout().toMillis(), session -> connections.dead(session));
        liveness.start();
        pinger.alongside(liveness); // a connection's WebSocket ping in the same write as its JSON ping
        oneShots = new OneShots(container.scheduler());
        transports = Transports.choose(container.webSocketContainer(), "portable".equals(config.wsTransport()));
        PresenceCommands presence = new PresenceCommands(broker, config, System::currentTimeMillis);
        streams = new StreamCommands(broker, hub, resolver, config, presence, fanout::accepts);
        ChannelCommands channels = new ChannelCommands(application.channels(), streams, presence);
        RpcChannels rpcChannels = null; // the application's channels over AnyCable RPC, without rpc_host none
        RpcSettings rpcSettings = config.rpc();
        if (rpcSettings.enabled()) {
            RpcTransport transport = rpcTransport != null ? rpcTransport
                    : rpcSettings.transport() == RpcSettings.Transport.HTTP
                            ? new HttpRpc(rpcSettings, container.executor())
                            : new GrpcRpc(rpcSettings, container.executor(), container.threadFactory(),
                                    container.scheduler());
            rpc = new Rpc(rpcSettings, transport, container.scheduler(), System::currentTimeMillis);
            rpcChannels = new RpcChannels(rpc, streams, presence, config.turboStreams());
        }
        Admission admission = new Admission(new Authenticator(config.jwtSecret(), config.enforceJwt(),
                System::currentTimeMillis), application.identifier());
        Map<String, CableSession> sessions = new ConcurrentHashMap<>();
        CommandRate rate = new CommandRate(config.commandRateLimit(), config.commandRateBurst());
        metrics = new NodeMetrics(sessions.values(), hub, broker);
        metrics.sampleEvery(container.scheduler());
        connections = new Connections(new Connections.Parts(config, transports, admission, broker,
                new Commands(streams, presence, channels, rpcChannels, rate, hub::subscribers),
                new Restorer(broker, streams, channels, rpcChannels, oneShots, !config.sessionsTtl().isZero(),
                        admission),
                rate, pinger, liveness, notifier,
                oneShots, metrics, rpcChannels, lanes(container),
                container.direct() != null || !"redis".equals(config.broker())), sessions);
        output.connections(connections);
        if (!config.statsRefreshInterval().isZero()) {
            metrics.logStats(container.scheduler(), config.statsRefreshInterval().toMillis());
        }
    }

    /** Stops whatever was started; by a failed start too, so any part may be missing. */
    void stop() {
        if (metrics != null) {
            metrics.close();
        }
        if (oneShots != null) {
            oneShots.stop();
        }
        if (pinger != null) {
            pinger.stop();
        }
        if (fanout != null) {
            fanout.stop();
        }
        if (notifier != null) {
            notifier.stop();
        }
        if (deliveryThreads != null) {
            deliveryThreads.shutdownNow();
        }
        if (eventThreads != null) {
            eventThreads.shutdownNow();
        }
        if (laneThreads != null) {
            laneThreads.shutdown(); // cleanups already queued still run; later ones run on whoever offers them
        }
        if (liveness != null) {
            liveness.stop();
        }
        if (expiryTimer != null) {
            expiryTimer.stop();
        }
        if (broker != null) {
            broker.stop();
        }
    }

    private static ThreadPoolExecutor pool(int threads, ManagedThreadFactory factory) {
        return new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), factory);
    }

    /**
     * The lanes' threads: managed ones, as the fan-out's (a managed executor task would scan the application's jars
     * on Payara for every command). Its queue holds at most one drain per connection (a lane hands itself over
     * once); in unit tests the lanes run inline.
     */
    private Executor lanes(Resources container) {
        if (container.direct() != null) {
            return container.executor(); // unit tests: their stand-in runs a drain inline, even when they hold the fan-outs
        }
        laneThreads = pool(Math.max(4, 2 * Runtime.getRuntime().availableProcessors()), container.threadFactory());
        return laneThreads;
    }
}
