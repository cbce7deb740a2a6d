package dev.jcable.node;

import dev.jcable.api.ConnectionIdentifier;
import dev.jcable.broker.Broadcast;
import dev.jcable.broker.Broker;
import dev.jcable.broker.BrokerListener;
import dev.jcable.broker.BrokerSettings;
import dev.jcable.broker.ExpiryTimer;
import dev.jcable.broker.JoinResult;
import dev.jcable.broker.MemoryBroker;
import dev.jcable.broker.Publication;
import dev.jcable.broker.RemoteCommand;
import dev.jcable.broker.StreamMessage;
import dev.jcable.broker.redis.RedisBroker;
import dev.jcable.broker.redis.RedisSettings;
import dev.jcable.channels.ChannelDiscovery;
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
import dev.jcable.metrics.Counter;
import dev.jcable.protocol.Codec;
import dev.jcable.protocol.JsonText;
import dev.jcable.protocol.PresenceEvent;
import dev.jcable.protocol.PresenceInfo;
import dev.jcable.rpc.GrpcRpc;
import dev.jcable.rpc.HttpRpc;
import dev.jcable.rpc.Rpc;
import dev.jcable.rpc.RpcTransport;
import dev.jcable.session.CableSession;
import dev.jcable.session.Dialect;
import dev.jcable.session.Liveness;
import dev.jcable.session.Pinger;
import dev.jcable.session.Subscription;
import dev.jcable.session.Transports;
import dev.jcable.streams.MessageVerifier;
import dev.jcable.streams.StreamResolver;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.servlet.ServletContext;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerContainer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The core: one instance per deployment. The WebSocket endpoint hands it every open, frame and close; the HTTP API
 * and the Java API hand it publications. It owns the session registry, the hub and the broker; commands are carried
 * out by {@link StreamCommands} and {@link PresenceCommands}, and broker output becomes frames here.
 */
@ApplicationScoped
public class Node implements BrokerListener {

    private static final Logger LOG = Logger.getLogger(Node.class.getName());
    private static final long SHUTDOWN_FLUSH_MILLIS = 2000;
    /**
     * How far before the client was last heard from a presence transition still counts as possibly missed by it: a
     * frame in flight when its network dropped, and the clocks of the nodes and Redis within a second of each other.
     */
    static final long PRESENCE_MARGIN_MILLIS = 2000;

    @Inject
    CableConfig config;

    @Resource(lookup = "java:comp/DefaultManagedScheduledExecutorService")
    ManagedScheduledExecutorService scheduler;

    @Resource(lookup = "java:comp/DefaultManagedExecutorService")
    ManagedExecutorService executor;

    /**
     * The fan-out threads and the Redis client's (broker=redis) come from here, so the container knows them; both end
     * with the deployment.
     */
    @Resource(lookup = "java:comp/DefaultManagedThreadFactory")
    ManagedThreadFactory threadFactory;

    /** The application's channels and connection identifier. */
    @Inject
    ChannelDiscovery discovery;

    /** The application's channels; set before {@link #start()} by tests, else found by {@link #discovery}. */
    Channels channelTypes;

    /** The application's connection identifier, or null; set before {@link #start()} by tests. */
    ConnectionIdentifier identifier;

    /** Presence and connection events to the application's CDI observers. */
    @Inject
    EventSink applicationEvents;

    /** The WebSocket container is found through it (servlet attribute), to pick the transport. */
    @Inject
    ServletContext servletContext;

    private final Hub hub = new Hub();
    private DeliveryPool fanout;
    private ThreadPoolExecutor deliveryThreads;
    private ThreadPoolExecutor eventThreads;
    /** The connections' lanes drain here when they cannot run inline (see Connections). */
    private ThreadPoolExecutor laneThreads;
    /**
     * Set by unit tests, which run fan-outs and application events inline; in a container they get pools of managed
     * threads.
     */
    Executor directExecutor;
    private Transports transports;
    private StreamResolver resolver;
    private Admission admission;
    private Broker broker;
    private ExpiryTimer expiryTimer;
    private Pinger pinger;
    private Liveness liveness;
    private StreamCommands streams;
    private PresenceCommands presence;
    private ChannelCommands channels;
    /** How RPC calls travel; set before {@link #start()} by tests, else built from {@code rpc_host}. */
    RpcTransport rpcTransport;
    private Rpc rpc;
    private Notifier notifier;
    private Connections connections;
    private OneShots oneShots;
    private NodeMetrics metrics;
    private final AtomicBoolean stopped = new AtomicBoolean();
    /** Streams whose out_of_sync resync is queued: one at a time, however many events were dropped meanwhile. */
    private final Set<String> outOfSync = ConcurrentHashMap.newKeySet();
    private final Overflow droppedPresence = new Overflow(Counter.DROPPED_PRESENCE_EVENT);
    private final Overflow droppedWhispers = new Overflow(Counter.DROPPED_WHISPER);

    /** Starts the node with the deployment, so that a bad configuration fails the deployment itself. */
    void startWithDeployment(@Observes @Initialized(ApplicationScoped.class) Object event) {
        LOG.fine("jcable: node started with the deployment");
    }

    @PostConstruct
    void start() {
        // what the application gives (a bad @CableChannel, two ConnectionIdentifiers) fails here, before anything
        // starts a thread, a timer or a connection
        if (channelTypes == null) {
            channelTypes = discovery == null ? Channels.none() : discovery.channels();
        }
        if (identifier == null && discovery != null) {
            identifier = discovery.identifier();
        }
        try {
            run();
        } catch (RuntimeException | Error e) {
            // a failed deployment leaves nothing running: no pool, timer, webhook client or Redis connection
            stopped.set(true);
            stopStarted();
            throw e;
        }
    }

    private void run() {
        resolver = new StreamResolver(new MessageVerifier(config.streamsSecret()),
                config.turboStreams() ? new MessageVerifier(config.turboStreamsSecret()) : null,
                config.publicStreams(), config.streamsPresence(), config.streamsWhisper());
        expiryTimer = new ExpiryTimer(scheduler, System::currentTimeMillis);
        // Fan-outs and application events run on plain pools of the container's managed threads, not on the
        // managed executor: every task handed to Payara's managed executor captures thread context by scanning the
        // application's jars, and with fan-outs spread out (a few per second, each done before the next) every
        // publication, join and leave would be such a task. A managed thread carries its context from its
        // creation; the pools end with the deployment (shutdown()).
        int shards = DeliveryPool.defaultShards();
        Executor deliveries = directExecutor;
        Executor events = directExecutor;
        if (directExecutor == null) {
            deliveryThreads = new ThreadPoolExecutor(shards, shards, 0, TimeUnit.MILLISECONDS,
                    new LinkedBlockingQueue<>(), threadFactory);
            // application events on lanes and threads of their own: a slow observer must not hold up deliveries
            eventThreads = new ThreadPoolExecutor(2, 2, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                    threadFactory);
            deliveries = deliveryThreads;
            events = eventThreads;
        }
        fanout = new DeliveryPool(deliveries, shards); // before the broker can deliver
        notifier = new Notifier(new DeliveryPool(events, 2),
                applicationEvents == null ? List.of() : List.of(applicationEvents),
                PresenceWebhook.configured(config, executor, scheduler),
                PusherWebhook.configured(config, executor, scheduler));
        BrokerSettings settings = new BrokerSettings(config.presenceTtl(), config.presenceMaxMembers(),
                config.historyLimit(), config.historyTtl(), config.sessionsTtl(), config.sessionsMaxSize());
        if ("redis".equals(config.broker())) {
            broker = new RedisBroker(new RedisSettings(config.redisUrl(), config.redisPrefix()), settings,
                    threadFactory, executor, scheduler);
        } else {
            MemoryBroker memory = new MemoryBroker(System::currentTimeMillis, settings, expiryTimer);
            expiryTimer.setTask(memory::expire);
            broker = memory;
        }
        broker.start(this);
        if (broker instanceof RedisBroker redis) {
            redis.startIngress(config.broadcastAdapters().contains("redis"), config.redisChannel(),
                    config.broadcastAdapters().contains("redisx"), config.redisxStream(),
                    new RedisIngress(this::broadcast, this));
        }
        pinger = new Pinger(scheduler);
        long nativePings = config.nativePings() ? config.pingInterval().toMillis() : 0;
        liveness = new Liveness(scheduler, executor, System::currentTimeMillis, nativePings,
                config.pongTimeout().toMillis(), session -> connections.dead(session));
        liveness.start();
        oneShots = new OneShots(scheduler);
        transports = Transports.choose(webSocketContainer(), "portable".equals(config.wsTransport()));
        presence = new PresenceCommands(broker, config, System::currentTimeMillis);
        streams = new StreamCommands(broker, hub, resolver, config, presence, fanout::accepts);
        channels = new ChannelCommands(channelTypes, streams, presence);
        RpcChannels rpcChannels = null; // the application's channels over AnyCable RPC, without rpc_host none
        RpcSettings rpcSettings = config.rpc();
        if (rpcSettings.enabled()) {
            if (rpcTransport == null) {
                rpcTransport = rpcSettings.transport() == RpcSettings.Transport.HTTP
                        ? new HttpRpc(rpcSettings, executor)
                        : new GrpcRpc(rpcSettings, executor, threadFactory, scheduler);
            }
            rpc = new Rpc(rpcSettings, rpcTransport, scheduler, System::currentTimeMillis);
            rpcChannels = new RpcChannels(rpc, streams, presence, config.turboStreams());
        }
        admission = new Admission(new Authenticator(config.jwtSecret(), config.enforceJwt(),
                System::currentTimeMillis), identifier);
        Map<String, CableSession> sessions = new ConcurrentHashMap<>();
        metrics = new NodeMetrics(sessions.values(), hub, broker);
        metrics.sampleEvery(scheduler);
        connections = new Connections(new Connections.Parts(config, transports, admission, broker,
                new Commands(streams, presence, channels, rpcChannels),
                new Restorer(broker, streams, channels, rpcChannels, oneShots, !config.sessionsTtl().isZero(),
                        admission),
                new CommandRate(config.commandRateLimit(), config.commandRateBurst()), pinger, liveness, notifier,
                oneShots, metrics, rpcChannels, lanes(), directExecutor != null || !"redis".equals(config.broker())), sessions);
        if (!config.statsRefreshInterval().isZero()) {
            metrics.logStats(scheduler, config.statsRefreshInterval().toMillis());
        }
        LOG.info(() -> "jcable: ready, transport " + transports.kind().label() + ", broker " + config.broker()
                + " (epoch " + broker.epoch() + ", history limit "
                + config.historyLimit() + ", history ttl " + config.historyTtl().toSeconds() + "s, sessions ttl "
                + config.sessionsTtl().toSeconds() + "s, presence ttl " + config.presenceTtl().toMillis() + "ms)");
    }

    /**
     * Tells every connection {@code server_restart} and stops the timers. Called when the web tier goes down
     * ({@link dev.jcable.endpoint.DrainFilter}): WildFly's Undertow closes the sockets itself (1001, no message)
     * before CDI destroys this bean, so {@code @PreDestroy} alone is too late there. Runs once.
     */
    public void shutdown() {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        long window = config.shutdownDrainWindow().toMillis();
        int told = connections.disconnectAll(window, SHUTDOWN_FLUSH_MILLIS);
        // nothing of this deployment may run after it: the disconnect grace of a socket still open is moot, the
        // container closes it. (Not closed here: Liberty's Session.close() can block for seconds while it cancels
        // a pending read, WsocConnLink.finishReadBeforeClose, and this thread is the container's undeploy.)
        if (rpc != null) {
            rpc.shutdown(); // the queued Disconnect calls, for at most disconnect_timeout
        }
        stopStarted();
        LOG.info(() -> "jcable: stopped; " + told + " connection(s) told server_restart"
                + (window > 0 ? " over " + window + " ms (shutdown_drain_window)" : ""));
    }

    /** Stops whatever {@link #start()} got to start; by a failed start too, so any part may be missing. */
    private void stopStarted() {
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

    /** True once {@link #shutdown()} has begun: new connections are turned away. */
    public boolean draining() {
        return stopped.get();
    }

    /** Ready for new connections: not draining, and the broker answers. */
    public Readiness readiness() {
        if (draining()) {
            return new Readiness(false, "draining", "the node is shutting down; its clients are told server_restart");
        }
        if (!brokerHealthy()) {
            return new Readiness(false, "broker_down", "the broker (Redis at " + CableConfig.redactUrl(config.redisUrl())
                    + ") does not answer");
        }
        return new Readiness(true, "ready", null);
    }

    @PreDestroy
    void destroy() {
        shutdown(); // when no handshake ever created the drain filter
    }

    // ---- connections: their lifecycle is Connections', on each connection's lane ----------------------

    public void open(Session socket) {
        connections.open(socket);
    }

    public void receive(Session socket, String part, boolean last) {
        connections.receive(socket, part, last);
    }

    public void pong(Session socket) {
        connections.pong(socket);
    }

    public void close(Session socket) {
        connections.close(socket);
    }

    public void error(Session socket, Throwable error) {
        connections.error(socket, error);
    }

    // ---- broker output ----------------------------------------------------------------------------

    /** Called in offset order per stream (under the broker's stream lock): queued, fanned out on the pool. */
    @Override
    public void deliver(StreamMessage message) {
        if (!message.durable() && !fanout.accepts(message.stream())) {
            // a whisper that passed its sender's check (StreamCommands.whisper) while others filled the stream's queue
            droppedWhispers.dropped(() -> "a whisper to stream " + message.stream() + " was dropped: its fan-outs are "
                    + DeliveryPool.MAX_QUEUED + " behind");
            return;
        }
        Counter.BROADCAST_MSG.increment();
        fanout.submit(message.stream(), () -> hub.deliver(message.stream(), JsonText.messageValue(message.data()),
                message.durable() ? Codec.streamMeta(message.stream(), message.epoch(), message.offset()) : null,
                message.offset(), message.excludeSocket()));
    }

    /** Read now, under the broker's stream lock: the subscribers attached so far meant the old epoch. */
    @Override
    public void epochChanged(String stream) {
        long before = hub.subscribes();
        fanout.submit(stream, () -> hub.newEpoch(stream, before));
    }

    @Override
    public void presence(String stream, PresenceEvent event) {
        if (!fanout.accepts(stream)) {
            // the subscribers' view of the set is now wrong: they are told to reconnect and fetch it afresh
            droppedPresence.dropped(() -> "presence events of stream " + stream + " were dropped: its fan-outs are "
                    + DeliveryPool.MAX_QUEUED + " behind; its subscribers are disconnected with out_of_sync");
            presenceLost(stream, System.currentTimeMillis() - PRESENCE_MARGIN_MILLIS);
            return;
        }
        (event.join() ? Counter.PRESENCE_JOIN : Counter.PRESENCE_LEAVE).increment();
        fanout.submit(stream, () -> hub.presence(stream, event, Codec.presenceEvent(event)));
    }

    @Override
    public void presenceChanged(String stream, PresenceEvent event, int members) {
        notifier.presenceChanged(stream, event, members);
    }

    @Override
    public boolean accepts(String stream) {
        return fanout.accepts(stream);
    }

    /**
     * The broker dropped presence events of {@code stream} (this node fell behind, or its pub/sub connection dropped
     * or hung) from {@code sinceMillis} on: its subscribers here are disconnected with {@code out_of_sync}, after
     * what was queued for them, and their cached sessions remember since when presence was lost, so that their
     * restore starts the stream's presence subscription again and their clients fetch the member set afresh. One
     * resync is queued per stream at a time (past the stream's bound: it is what makes up for the dropped events); it
     * covers every event dropped before it runs.
     */
    @Override
    public void presenceLost(String stream, long sinceMillis) {
        if (outOfSync.add(stream)) {
            fanout.submit(stream, () -> {
                outOfSync.remove(stream);
                hub.sessions(stream).forEach(session -> {
                    session.presenceLostSince(sinceMillis);
                    session.disconnect("out_of_sync", true, CloseReason.CloseCodes.NORMAL_CLOSURE, "Out of sync");
                });
            });
        }
    }

    /**
     * A remote {@code disconnect} (from any node): this node's connections with those identifiers are told
     * {@code {"type":"disconnect","reason":"remote",...}} after what is queued for them, and closed.
     */
    @Override
    public void command(RemoteCommand command) {
        List<CableSession> found = connections.withIdentifiers(command.identifiers());
        LOG.fine(() -> "jcable: remote disconnect of " + command.identifiers() + ": " + found.size()
                + " connection(s) here");
        for (CableSession session : found) {
            session.disconnect("remote", command.reconnect(), CloseReason.CloseCodes.NORMAL_CLOSURE,
                    "Remote disconnect");
        }
    }

    // ---- API for other protocols' rooms (dev.jcable.pusher) -----------------------------------------

    /**
     * Opens a connection of another protocol ({@link Connections#openRoom}): its session, with the protocol's
     * {@link Dialect}, is registered on its lane, where {@code opened} (the room's welcome) then runs; not when the
     * node is draining (the connection is told so and closes).
     *
     * @param identifiers the connection's identifiers as JSON text, for the application's events
     */
    public void openRoom(Session socket, String sid, Dialect dialect, String identifiers, long pingMillis,
                         Consumer<CableSession> opened) {
        connections.openRoom(socket, sid, dialect, identifiers, pingMillis, opened);
    }

    /**
     * A part of a room's text frame: a whole one within {@code max_message_size} and the command rate limit goes to
     * {@code handler} on the connection's lane, in order with the rest of the connection's work.
     */
    public void receive(Session socket, String part, boolean last, BiConsumer<CableSession, String> handler) {
        connections.receive(socket, part, last, (session, frame) -> {
            handler.accept(session, frame);
            return null;
        });
    }

    /** Subscribes as a stream subscription does (hub, broker, the session's map); returns it attached. */
    public Subscription attach(CableSession session, Subscription subscription) {
        return streams.attach(session, subscription);
    }

    /** Takes a subscription out of the session, the hub and the broker; leaves its presence at once. */
    public void detach(CableSession session, Subscription subscription) {
        if (session.subscriptions().remove(subscription.identifier(), subscription)) {
            streams.detach(session, subscription);
            session.discard(subscription.identifier());
            if (subscription.spec().presence()) {
                broker.presenceRemove(subscription.spec().stream(), session.sid());
            }
        }
    }

    /** Joins presence as a client's {@code join} does (one member per id, events, webhooks, the TTL on close). */
    public JoinResult join(CableSession session, String stream, String id, String info) {
        return broker.presenceAdd(stream, session.sid(), id, info);
    }

    /** A Pusher client event, for Pusher's {@code client_event} webhook (queued, never blocks). */
    public void clientEvent(String channel, String event, String data, String socketId, String userId) {
        notifier.clientEvent(channel, event, data, socketId, userId);
    }

    /** A transient message to the stream's subscribers on every node, never stored (a whisper, a client event). */
    public void whisper(Publication publication) {
        broker.whisper(publication);
    }

    /**
     * Runs {@code task} on the stream's delivery lane, after every fan-out and presence event of the stream queued
     * so far: a reply built there is ordered with the stream's events. While the stream's fan-outs are
     * {@link DeliveryPool#MAX_QUEUED} behind it is dropped, and the stream's subscribers here are resynced as for a
     * dropped presence event ({@code out_of_sync}): the reply (a member list) would have been stale anyway.
     */
    public void inStreamOrder(String stream, Runnable task) {
        if (!fanout.accepts(stream)) {
            droppedPresence.dropped(() -> "a reply in order with stream " + stream + " was dropped: its fan-outs are "
                    + DeliveryPool.MAX_QUEUED + " behind; its subscribers are disconnected with out_of_sync");
            presenceLost(stream, System.currentTimeMillis() - PRESENCE_MARGIN_MILLIS);
            return;
        }
        fanout.submit(stream, task);
    }

    // ---- API for the HTTP and Java boundaries ------------------------------------------------------

    /** A publication ({@link #publish}) or a remote command (to every node), as a broadcast adapter carries them. */
    public void broadcast(Broadcast broadcast) {
        if (broadcast instanceof Publication publication) {
            publish(publication);
        } else {
            broker.command((RemoteCommand) broadcast);
        }
    }

    /**
     * Orders and stores a publication and returns: the fan-out runs on the delivery pool.
     *
     * @throws IllegalArgumentException when its data is larger than {@code max_broadcast_size}; nothing is published
     * @throws Overloaded when the stream's fan-outs are {@link DeliveryPool#MAX_QUEUED} behind; nothing is published
     */
    public void publish(Publication publication) {
        requirePublishable(publication);
        if (!fanout.accepts(publication.stream())) {
            throw new Overloaded("delivery of stream '" + publication.stream() + "' is "
                    + DeliveryPool.MAX_QUEUED + " fan-outs behind; try again later");
        }
        broker.publish(publication);
        Counter.PUBLICATIONS.increment();
    }

    /** @throws IllegalArgumentException when {@link #publish} would refuse {@code publication} */
    public void requirePublishable(Publication publication) {
        int size = publication.data().length();
        if (size > config.maxBroadcastSize()) {
            throw new IllegalArgumentException("data of " + size + " characters is larger than max_broadcast_size ("
                    + config.maxBroadcastSize() + ")");
        }
    }

    /**
     * The roles the handshake asks the container about (read then, while the request lasts): those of the channels'
     * {@code @RolesAllowed} and {@code @DeclareRoles}, and of {@code @DeclareRoles} on the connection identifier.
     */
    public Set<String> knownRoles() {
        Set<String> roles = new java.util.HashSet<>(channelTypes.roles());
        if (identifier != null) {
            Class<?> type = identifier.getClass();
            while (type != null && type != Object.class) { // a CDI proxy's superclass carries the annotation
                jakarta.annotation.security.DeclareRoles declared =
                        type.getAnnotation(jakarta.annotation.security.DeclareRoles.class);
                if (declared != null) {
                    roles.addAll(List.of(declared.value()));
                }
                type = type.getSuperclass();
            }
        }
        return roles;
    }

    public PresenceInfo presenceInfo(String stream) {
        return broker.presenceInfo(stream);
    }

    public int presenceCount(String stream) {
        return broker.presenceCount(stream);
    }

    /** The streams with subscribers on this node. */
    public Set<String> occupiedStreams() {
        return hub.streamNames();
    }

    /** Subscriptions to {@code stream} on this node. */
    public int subscribers(String stream) {
        return hub.subscribers(stream);
    }

    public String signStream(String stream) {
        return resolver.sign(stream);
    }

    public boolean brokerHealthy() {
        return broker.healthy();
    }

    public int connections() {
        return connections.count();
    }

    // ---- helpers ----------------------------------------------------------------------------------

    /**
     * The lanes' threads: managed ones, as the fan-out's (a managed executor task would scan the application's jars
     * on Payara for every command). Its queue holds at most one drain per connection (a lane hands itself over
     * once); in unit tests the lanes run inline.
     */
    private Executor lanes() {
        if (directExecutor != null) {
            return executor; // unit tests: their stand-in runs a drain inline, even when they hold the fan-outs
        }
        int threads = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
        laneThreads = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                threadFactory);
        return laneThreads;
    }

    /** The class of the server's WebSocket container, or null when it is not where the WebSocket spec puts it. */
    private String webSocketContainer() {
        try {
            Object container = servletContext.getAttribute(ServerContainer.class.getName());
            return container == null ? null : container.getClass().getName();
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "jcable: no servlet context to find the WebSocket container in", e);
            return null;
        }
    }
}
