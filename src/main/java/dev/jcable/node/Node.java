package dev.jcable.node;

import dev.jcable.api.ConnectionIdentifier;
import dev.jcable.broker.Broadcast;
import dev.jcable.broker.Broker;
import dev.jcable.broker.BrokerListener;
import dev.jcable.broker.BrokerSettings;
import dev.jcable.broker.BrokerUnavailableException;
import dev.jcable.broker.CachedSession;
import dev.jcable.broker.ExpiryTimer;
import dev.jcable.broker.MemoryBroker;
import dev.jcable.broker.Publication;
import dev.jcable.broker.RemoteCommand;
import dev.jcable.broker.StreamMessage;
import dev.jcable.broker.redis.RedisBroker;
import dev.jcable.broker.redis.RedisSettings;
import dev.jcable.channels.ChannelDiscovery;
import dev.jcable.channels.Channels;
import dev.jcable.config.CableConfig;
import dev.jcable.events.EventSink;
import dev.jcable.events.Notifier;
import dev.jcable.events.PresenceWebhook;
import dev.jcable.events.PusherWebhook;
import dev.jcable.hub.DeliveryPool;
import dev.jcable.hub.Hub;
import dev.jcable.identity.Authenticator;
import dev.jcable.identity.Handshake;
import dev.jcable.identity.HandshakeHeaders;
import dev.jcable.identity.HandshakeRequest;
import dev.jcable.metrics.Counter;
import dev.jcable.protocol.Codec;
import dev.jcable.protocol.Command;
import dev.jcable.protocol.JsonText;
import dev.jcable.protocol.PresenceEvent;
import dev.jcable.protocol.PresenceInfo;
import dev.jcable.protocol.ProtocolException;
import dev.jcable.rpc.GrpcRpc;
import dev.jcable.rpc.HttpRpc;
import dev.jcable.rpc.Rpc;
import dev.jcable.config.RpcSettings;
import dev.jcable.broker.JoinResult;
import dev.jcable.session.CableSession;
import dev.jcable.session.Dialect;
import dev.jcable.session.Frame;
import dev.jcable.session.Liveness;
import dev.jcable.session.Pinger;
import dev.jcable.session.SessionHost;
import dev.jcable.session.Subscription;
import dev.jcable.session.Transports;
import dev.jcable.streams.MessageVerifier;
import dev.jcable.streams.StreamResolver;
import dev.jcable.streams.StreamSpec;
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
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
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
    private static final String SESSION_KEY = "jcable.session";
    private static final long SHUTDOWN_FLUSH_MILLIS = 2000;
    /**
     * How far before the client was last heard from a presence transition still counts as possibly missed by it: a
     * frame in flight when its network dropped, and the clocks of the nodes and Redis within a second of each other.
     */
    static final long PRESENCE_MARGIN_MILLIS = 2000;
    /** How long a restored subscription's live messages wait for the client's history request. */
    private static final long HISTORY_WAIT_MILLIS = 3000;

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

    private final Map<String, CableSession> sessions = new ConcurrentHashMap<>();
    /** The open connections by identifiers, for remote disconnects. */
    private final ConnectionIndex byIdentifiers = new ConnectionIndex();
    private final SessionHost host = new SessionHost() {
        @Override
        public void execute(Runnable task) {
            executor.execute(task);
        }

        /**
         * A disconnect frame waits behind whatever the client has not read. A client that stopped reading never
         * lets it out, and some containers (Tyrus on Grizzly) never time that write out, so after ws_write_timeout
         * (at least 1 s) the socket is closed anyway and the session cleaned up (both do nothing if that happened
         * meanwhile; a dead session is cleaned up at once, before its goodbye, see dead()).
         */
        @Override
        public void disconnecting(CableSession session) {
            long grace = Math.max(1000, config.wsWriteTimeout().toMillis());
            oneShots.schedule(() -> forceClose(session), grace);
        }
    };
    private final Hub hub = new Hub();
    private DeliveryPool fanout;
    private ThreadPoolExecutor deliveryThreads;
    private ThreadPoolExecutor eventThreads;
    /**
     * Set by unit tests, which run fan-outs and application events inline; in a container they get pools of managed
     * threads.
     */
    Executor directExecutor;
    private Transports transports;
    private final SecureRandom random = new SecureRandom();
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
    dev.jcable.rpc.RpcTransport rpcTransport;
    /** The application's channels over AnyCable RPC; null without {@code rpc_host}. */
    private RpcChannels rpcChannels;
    private Rpc rpc;
    private Notifier notifier;
    private volatile CountDownLatch shutdown;
    private OneShots oneShots;
    private NodeMetrics metrics;
    private final java.util.concurrent.atomic.AtomicBoolean stopped = new java.util.concurrent.atomic.AtomicBoolean();
    /** Streams whose out_of_sync resync is queued: one at a time, however many events were dropped meanwhile. */
    private final java.util.Set<String> outOfSync = ConcurrentHashMap.newKeySet();
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
                config.pongTimeout().toMillis(), this::dead);
        liveness.start();
        oneShots = new OneShots(scheduler);
        transports = Transports.choose(webSocketContainer(), "portable".equals(config.wsTransport()));
        presence = new PresenceCommands(broker, config, System::currentTimeMillis);
        streams = new StreamCommands(broker, hub, resolver, config, presence, fanout::accepts);
        channels = new ChannelCommands(channelTypes, streams, presence);
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
        metrics = new NodeMetrics(sessions.values(), hub, broker);
        metrics.sampleEvery(scheduler);
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
        List<CableSession> open = List.copyOf(sessions.values());
        shutdown = new CountDownLatch(open.size());
        long window = config.shutdownDrainWindow().toMillis();
        try {
            // in batches over shutdown_drain_window (at once without one); a session closed meanwhile is skipped
            Drain.run(open, window, session -> {
                if (sessions.containsKey(session.sid())) {
                    session.disconnect("server_restart", true, CloseReason.CloseCodes.GOING_AWAY, "Server restart");
                }
            }, System::nanoTime, Drain::parkUntil);
            // let the disconnect frames reach the clients before the container tears the sockets down
            shutdown.await(SHUTDOWN_FLUSH_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // nothing of this deployment may run after it: the disconnect grace of a socket still open is moot, the
        // container closes it. (Not closed here: Liberty's Session.close() can block for seconds while it cancels
        // a pending read, WsocConnLink.finishReadBeforeClose, and this thread is the container's undeploy.)
        if (rpc != null) {
            rpc.shutdown(); // the queued Disconnect calls, for at most disconnect_timeout
        }
        stopStarted();
        LOG.info(() -> "jcable: stopped; " + open.size() + " connection(s) told server_restart"
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

    // ---- connections ------------------------------------------------------------------------------

    public void open(Session socket) {
        String sid = newSid();
        CableSession session = newSession(socket, sid, Dialect.ANYCABLE);
        HandshakeHeaders.Taken taken = HandshakeHeaders.takeAll(socket.getUserProperties());
        Map<String, List<String>> headers = taken.headers();
        Handshake handshake = Handshake.of(headers, socket.getRequestParameterMap(), config.jwtParam());
        session.roles(taken.login().roles());
        if (rpcChannels != null && handshake.token() == null) {
            // the application identifies the connection (a JWT does without a call, as in anycable-go): the
            // welcome waits for its answer, and what the client sends meanwhile waits on the connection's lane
            sessions.put(sid, session);
            rpcChannels.open(session, RpcEnvs.url(socket, headers), RpcEnvs.headers(headers, config.rpc()));
            rpcChannels.submit(session, () -> rpcChannels.connect(session, () -> welcome(session, handshake)));
            return;
        }
        String identifiers = admission.admit(session, handshake.token(),
                new HandshakeRequest.Parts(headers, socket.getRequestParameterMap(), taken.login()));
        if (identifiers == null) {
            Counter.FAILED_AUTHS.increment(); // refused by the JWT check or the application's identifier
            return;
        }
        session.identifiers(identifiers);
        sessions.put(sid, session);
        if (rpcChannels != null) {
            rpcChannels.open(session, RpcEnvs.url(socket, headers), RpcEnvs.headers(headers, config.rpc()));
            rpcChannels.connected(session);
        }
        welcome(session, handshake);
    }

    /** The connection is identified: welcomed (or restored), pinged, watched, announced. */
    private void welcome(CableSession session, Handshake handshake) {
        Session socket = session.socket();
        String sid = session.sid();
        if (draining()) {
            // opened while shutdown() took its snapshot of the sessions, or after it: told the same, never stranded
            session.disconnect("server_restart", true, CloseReason.CloseCodes.GOING_AWAY, "Server restart");
            return;
        }
        boolean resumable = session.extended() && !config.sessionsTtl().isZero();
        Optional<CachedSession> previous = resumable && handshake.restoreSid() != null
                ? restorable(handshake.restoreSid()) : Optional.empty();
        if (previous.isPresent()) {
            restore(session, previous.get(), handshake.token() != null || admission.identifiesItself());
        } else {
            session.send(Codec.welcome(sid));
        }
        byIdentifiers.add(session); // its identifiers are final now (a restore may have set them)
        if (!sessions.containsKey(sid)) {
            byIdentifiers.remove(session, session.identifiers()); // closed meanwhile: no ghost in the index
        }
        pinger.add(session, pingInterval(socket), pingPrecision(socket));
        liveness.add(session);
        metrics.opened(session);
        notifier.opened(sid, session.identifiers());
    }

    /** A session for {@code socket}, known to the socket; not yet registered. */
    private CableSession newSession(Session socket, String sid, Dialect dialect) {
        CableSession session = new CableSession(sid, socket, config.wsMaxPendingSize(), config.maxFrameSize(), host,
                transports);
        session.dialect(dialect);
        socket.getUserProperties().put(SESSION_KEY, session);
        // No container send timeout: Undertow's closes only the frame being written when it expires, leaving the
        // connection open and stuck behind the half-written frame (a stalled client on WildFly was never closed),
        // and Tyrus does not enforce one. A client that stops reading fills its queue and is cut off as too_slow;
        // the goodbye's own bound is the grace in disconnecting() above.
        socket.getAsyncRemote().setSendTimeout(0);
        // jcable finds dead peers itself (Liveness: WebSocket pings, pong_timeout) and cuts off clients that stop
        // reading; the container's idle timeout adds nothing. (With 0 Tyrus still schedules an idle task per frame
        // sent, ping, pong and message received — eclipse-ee4j/tyrus#487; jcable's Tyrus transport sends past it and
        // gives the session a scheduler that skips those tasks while the timeout is off: session.TyrusIdleScheduler.)
        socket.setMaxIdleTimeout(0);
        return session;
    }

    /** A cached session, or the live one (the client noticed a dead network before this server did). */
    private Optional<CachedSession> restorable(String previousSid) {
        Optional<CachedSession> cached = broker.restoreSession(previousSid);
        if (cached.isPresent()) {
            return cached;
        }
        CableSession live = sessions.get(previousSid);
        return live == null ? Optional.empty() : Optional.of(snapshot(live));
    }

    /**
     * Resubscribes without confirmations and welcomes with the restored identifiers; the client asks for history.
     * A presence subscription whose stream had a transition the client may have missed (since it was last heard
     * from, less {@link #PRESENCE_MARGIN_MILLIS}) is left out: the official client then starts it again (subscribe
     * with its history position, presence fetched anew), so its member list ends true.
     */
    private void restore(CableSession session, CachedSession previous, boolean freshIdentity) {
        if (!freshIdentity) {
            session.identifiers(previous.identifiers());
        }
        java.util.Set<String> stale = stalePresence(previous);
        List<String> restored = new ArrayList<>();
        previous.subscriptions().forEach((identifier, spec) -> {
            if (spec.stream() != null && stale.contains(spec.stream())) {
                return;
            }
            session.hold(identifier); // until the client's history request for it is served
            Subscription attached = streams.attach(session,
                    new Subscription(identifier, spec, channels.channelOf(identifier)));
            if (rpcChannels != null && attached.channel() == null && rpcChannels.owns(identifier)) {
                rpcChannels.restored(session, attached);
            }
            restored.add(identifier);
        });
        session.send(Codec.welcomeRestored(session.sid(), restored));
        session.subscriptions().values().stream().filter(s -> s.channel() != null).toList()
                .forEach(subscription -> channels.restored(session, subscription));
        // a client that does not ask for history (or asks late) still gets its live messages
        oneShots.schedule(() -> restored.forEach(session::release), HISTORY_WAIT_MILLIS);
    }

    /**
     * The streams of the cached presence subscriptions that changed since the client was last heard from; all of
     * them when that is unknown or the broker cannot say (a subscription started again costs a resubscribe, a wrong
     * member list lasts).
     */
    private java.util.Set<String> stalePresence(CachedSession previous) {
        java.util.Set<String> watched = new java.util.HashSet<>();
        previous.subscriptions().values().forEach(spec -> {
            if (spec.presence() && spec.stream() != null) {
                watched.add(spec.stream());
            }
        });
        if (watched.isEmpty()) {
            return watched;
        }
        try {
            return broker.presenceChangedSince(watched, previous.heardAt() - PRESENCE_MARGIN_MILLIS);
        } catch (BrokerUnavailableException e) {
            return watched;
        }
    }

    private static CachedSession snapshot(CableSession session) {
        Map<String, StreamSpec> subscriptions = new LinkedHashMap<>();
        session.subscriptions().forEach((identifier, subscription) -> subscriptions.put(identifier, subscription.spec()));
        return new CachedSession(session.identifiers(), subscriptions, session.heardAt());
    }

    public void receive(Session socket, String part, boolean last) {
        receive(socket, part, last, (session, frame) -> {
            try {
                Command command = Codec.decode(frame);
                if (rpcChannels == null) {
                    handle(session, command);
                } else {
                    rpcChannels.submit(session, () -> handle(session, command)); // in order, behind RPC calls
                }
            } catch (ProtocolException e) {
                BadFrames.report(session, e.getMessage());
            }
        });
    }

    /**
     * Takes a part of a text frame from {@code socket}; a whole one within {@code max_message_size} goes to
     * {@code handler}, on this (the container's) thread. Every room's frames come in here.
     */
    public void receive(Session socket, String part, boolean last, BiConsumer<CableSession, String> handler) {
        CableSession session = session(socket);
        if (session == null || session.disconnecting()) {
            return;
        }
        session.received(System.currentTimeMillis()); // any frame, even one dropped below, shows the client is there
        String frame = session.assemble(part, last, config.maxMessageSize());
        if (frame == null) {
            return;
        }
        Counter.CLIENT_MSG.increment();
        if (frame == CableSession.TOO_LARGE) {
            BadFrames.report(session, "frame larger than max_message_size (" + config.maxMessageSize() + ")");
            return;
        }
        Counter.DATA_RCVD.add(Frame.utf8Length(frame));
        try {
            handler.accept(session, frame);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "jcable: command failed for session " + session.sid(), e);
        }
    }

    /** A WebSocket pong: the client answered a ping (or sent one unasked, which shows it is alive just the same). */
    public void pong(Session socket) {
        CableSession session = session(socket);
        if (session != null) {
            session.received(System.currentTimeMillis());
        }
    }

    public void close(Session socket) {
        CableSession session = session(socket);
        if (session != null) {
            closed(session);
        }
    }

    /**
     * Cleans up after a closed connection, once. With RPC it runs on the connection's lane, after the call in flight
     * was answered and applied, so that no answer attaches a stream to a session already cleaned up.
     */
    private void closed(CableSession session) {
        if (rpcChannels == null || !rpcChannels.submit(session, () -> {
            cleanUp(session);
            return null;
        })) {
            cleanUp(session);
        }
    }

    private void cleanUp(CableSession session) {
        if (sessions.remove(session.sid()) == null) {
            return;
        }
        metrics.closed(session);
        try {
            byIdentifiers.remove(session, session.identifiers());
            pinger.remove(session);
            liveness.remove(session);
            for (Subscription subscription : session.subscriptions().values()) {
                streams.detach(session, subscription);
            }
            channels.closed(session);
            if (rpcChannels != null) {
                rpcChannels.closed(session);
            }
            boolean welcomed = session.identifiers() != null; // not a connection the application refused
            if (welcomed && session.extended() && !config.sessionsTtl().isZero()) {
                broker.cacheSession(session.sid(), snapshot(session));
            }
            broker.presenceDisconnected(session.sid());
            if (welcomed) {
                notifier.closed(session.sid(), session.identifiers());
            }
        } finally {
            // whatever went wrong above, shutdown() must not wait its whole flush window for this session
            CountDownLatch closing = shutdown;
            if (closing != null) {
                closing.countDown();
            }
        }
    }

    public void error(Session socket, Throwable error) {
        CableSession session = session(socket);
        LOG.log(Level.FINE, "jcable: socket error on session " + (session == null ? "?" : session.sid()), error);
    }

    /** Carries out a command; returns the stage of an RPC call it made (the next command waits for it), or null. */
    private CompletionStage<?> handle(CableSession session, Command command) {
        Subscription subscription = command.identifier() == null ? null
                : session.subscriptions().get(command.identifier());
        if (rpcChannels != null && command.identifier() != null) {
            CompletionStage<?> call = rpcCall(session, command);
            if (call != NOT_RPC) {
                return call;
            }
        }
        switch (command.command()) {
            case "subscribe" -> {
                if (!channels.subscribe(session, command)) {
                    streams.subscribe(session, command);
                }
            }
            case "unsubscribe" -> {
                Subscription gone = streams.unsubscribe(session, command);
                if (gone != null && gone.channel() != null) {
                    channels.unsubscribed(session, gone);
                }
            }
            case "message" -> {
                if (subscription != null && subscription.channel() != null) {
                    channels.perform(session, command, subscription);
                } else {
                    streams.perform(session, command, subscription);
                }
            }
            case "history" -> streams.history(session, command, subscription);
            case "whisper" -> streams.whisper(session, command, subscription);
            case "join" -> presence.join(session, command, subscription);
            case "leave" -> presence.leave(session, subscription);
            case "presence" -> presence.info(session, command, subscription);
            case "ping" -> session.send(Codec.pong());
            case "pong" -> session.sendsPongs(); // its JSON pings can now prove it alive (pong_timeout)
            default -> BadFrames.report(session, "unknown command '" + command.command() + "'");
        }
        return null;
    }

    private static final CompletionStage<?> NOT_RPC = java.util.concurrent.CompletableFuture.completedFuture(null);

    /**
     * An application channel's subscribe, message or unsubscribe over RPC, or {@link #NOT_RPC}. A Java
     * {@code @CableChannel} of the same name wins, then jcable's own stream channels; every other channel name is
     * the application's.
     */
    private CompletionStage<?> rpcCall(CableSession session, Command command) {
        String identifier = command.identifier();
        return switch (command.command()) {
            case "subscribe" -> channels.channelOf(identifier) == null && rpcChannels.owns(identifier)
                    && !rpcChannels.subscribed(session, identifier) ? rpcChannels.subscribe(session, command) : NOT_RPC;
            case "message" -> rpcChannels.subscribed(session, identifier) ? rpcChannels.perform(session, command)
                    : NOT_RPC;
            case "unsubscribe" -> rpcChannels.subscribed(session, identifier)
                    ? rpcChannels.unsubscribe(session, command) : NOT_RPC;
            default -> NOT_RPC;
        };
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
     * restore starts the stream's presence subscription again and their clients fetch the member set afresh. One resync is
     * queued per stream at a time (past the stream's bound: it is what makes up for the dropped events); it covers
     * every event dropped before it runs.
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

    // ---- API for other protocols' rooms (dev.jcable.pusher) -----------------------------------------

    /**
     * Opens a connection of another protocol: a session with that protocol's {@link Dialect}, under the same
     * registry, liveness, pings ({@code pingMillis}, the dialect's own ping frame), shutdown and clean-up as
     * AnyCable's. Returns null when the node is draining (the connection was told so and closes).
     *
     * @param identifiers the connection's identifiers as JSON text, for the application's events
     */
    public CableSession openRoom(Session socket, String sid, Dialect dialect, String identifiers, long pingMillis) {
        CableSession session = newSession(socket, sid, dialect);
        session.identifiers(identifiers);
        sessions.put(sid, session);
        if (draining()) {
            session.disconnect("server_restart", true, CloseReason.CloseCodes.GOING_AWAY, "Server restart");
            return null;
        }
        pinger.add(session, pingMillis, "s");
        liveness.add(session);
        notifier.opened(sid, identifiers);
        return session;
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

    /**
     * A remote {@code disconnect} (from any node): this node's connections with those identifiers are told
     * {@code {"type":"disconnect","reason":"remote",...}} after what is queued for them, and closed.
     */
    @Override
    public void command(RemoteCommand command) {
        List<CableSession> found = byIdentifiers.find(command.identifiers());
        LOG.fine(() -> "jcable: remote disconnect of " + command.identifiers() + ": " + found.size()
                + " connection(s) here");
        for (CableSession session : found) {
            session.disconnect("remote", command.reconnect(), CloseReason.CloseCodes.NORMAL_CLOSURE,
                    "Remote disconnect");
        }
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
    public java.util.Set<String> knownRoles() {
        java.util.Set<String> roles = new java.util.HashSet<>(channelTypes.roles());
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
    public java.util.Set<String> occupiedStreams() {
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
        return sessions.size();
    }

    // ---- helpers ----------------------------------------------------------------------------------

    /**
     * {@link Liveness} found the client silent past pong_timeout. It is told {@code no_pong} (if it still reads) and
     * its session is cleaned up now, so its presence starts leaving at once; the socket closes when the goodbye is
     * written, or after the disconnect grace.
     */
    private void dead(CableSession session) {
        LOG.fine(() -> "jcable: session " + session.sid() + " sent nothing within pong_timeout; closing it as dead");
        session.disconnect("no_pong", true, CloseReason.CloseCodes.NORMAL_CLOSURE, "No Pong");
        closed(session);
    }

    private void forceClose(CableSession session) {
        session.forceClose();
        closed(session);
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

    private static CableSession session(Session socket) {
        Map<String, Object> properties = socket.getUserProperties();
        return properties == null ? null : (CableSession) properties.get(SESSION_KEY); // null: Liberty, once closed
    }



    /** The most seconds a client may ask for with {@code ?pi=}: each interval in use is one timer. */
    static final int MAX_CLIENT_PING_SECONDS = 60;

    private long pingInterval(Session socket) {
        List<String> pi = socket.getRequestParameterMap().get("pi");
        return pingIntervalMillis(pi == null || pi.isEmpty() ? null : pi.get(0), config.pingInterval().toMillis());
    }

    /**
     * {@code ?pi=} in milliseconds: 0 (no JSON pings) or 1 to {@link #MAX_CLIENT_PING_SECONDS} seconds; anything else
     * (absent, not a number, negative, larger) gets the server's {@code ping_interval}. Kept to a small range because
     * sessions share one timer per interval: a client may not make the node keep thousands of them.
     */
    static long pingIntervalMillis(String pi, long serverMillis) {
        if (pi != null) {
            try {
                long seconds = Long.parseLong(pi);
                if (seconds >= 0 && seconds <= MAX_CLIENT_PING_SECONDS) {
                    return seconds * 1000;
                }
            } catch (NumberFormatException e) {
                // the server's interval
            }
        }
        return serverMillis;
    }

    private String pingPrecision(Session socket) {
        List<String> ptp = socket.getRequestParameterMap().get("ptp");
        if (ptp != null && !ptp.isEmpty() && List.of("s", "ms", "ns").contains(ptp.get(0))) {
            return ptp.get(0);
        }
        return config.pingTimestampPrecision();
    }

    private String newSid() {
        byte[] bytes = new byte[15];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
