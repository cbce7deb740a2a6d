package dev.jcable.node;

import dev.jcable.api.ConnectionIdentifier;
import dev.jcable.broker.Broadcast;
import dev.jcable.broker.JoinResult;
import dev.jcable.broker.Publication;
import dev.jcable.broker.RemoteCommand;
import dev.jcable.channels.ChannelDiscovery;
import dev.jcable.channels.Channels;
import dev.jcable.config.CableConfig;
import dev.jcable.events.EventSink;
import dev.jcable.hub.DeliveryPool;
import dev.jcable.identity.HandshakeHeaders;
import dev.jcable.metrics.Counter;
import dev.jcable.protocol.Command;
import dev.jcable.protocol.PresenceInfo;
import dev.jcable.rpc.RpcTransport;
import dev.jcable.session.CableSession;
import dev.jcable.session.Dialect;
import dev.jcable.session.SseTransport;
import dev.jcable.session.Subscription;
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
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerContainer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The core: one instance per deployment, and the one door into it. The WebSocket endpoints hand it every open, frame
 * and close (carried out by {@link Connections} on each connection's lane, commands by {@link Commands}); the HTTP API
 * and the Java API hand it publications; what the broker hands back becomes frames in {@link BrokerOutput}. Its parts
 * are built and stopped by {@link Wiring}; this class holds the deployment's lifecycle and the boundaries' API.
 */
@ApplicationScoped
public class Node {

    private static final Logger LOG = Logger.getLogger(Node.class.getName());
    private static final long SHUTDOWN_FLUSH_MILLIS = 2000;

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

    /** The application's identifier class (its {@code @DeclareRoles}), when {@link #discovery} found the identifier. */
    private Class<?> identifierClass;

    /** Presence and connection events to the application's CDI observers. */
    @Inject
    EventSink applicationEvents;

    /** The WebSocket container is found through it (servlet attribute), to pick the transport. */
    @Inject
    ServletContext servletContext;

    /**
     * Set by unit tests, which run fan-outs and application events inline; in a container they get pools of managed
     * threads.
     */
    Executor directExecutor;
    /** How RPC calls travel; set before {@link #start()} by tests, else built from {@code rpc_host}. */
    RpcTransport rpcTransport;
    /** The running parts; null until started. */
    private Wiring parts;
    private final AtomicBoolean stopped = new AtomicBoolean();

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
            identifierClass = discovery.identifierClass();
        }
        try {
            parts = new Wiring(config, new Wiring.Resources(scheduler, executor, threadFactory, directExecutor,
                    webSocketContainer()), new Wiring.Application(channelTypes, identifier, applicationEvents),
                    rpcTransport, this::broadcast);
        } catch (RuntimeException | Error e) {
            stopped.set(true); // a failed deployment leaves nothing running (Wiring stopped what it had started)
            throw e;
        }
        LOG.info(() -> "jcable: ready, transport " + parts.transports.kind().label() + ", broker " + config.broker()
                + " (epoch " + parts.broker.epoch() + ", history limit "
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
        int told = parts.connections.disconnectAll(window, SHUTDOWN_FLUSH_MILLIS);
        // nothing of this deployment may run after it: the disconnect grace of a socket still open is moot, the
        // container closes it. (Not closed here: Liberty's Session.close() can block for seconds while it cancels
        // a pending read, WsocConnLink.finishReadBeforeClose, and this thread is the container's undeploy.)
        if (parts.rpc != null) {
            parts.rpc.shutdown(); // the queued Disconnect calls, for at most disconnect_timeout
        }
        parts.stop();
        LOG.info(() -> "jcable: stopped; " + told + " connection(s) told server_restart"
                + (window > 0 ? " over " + window + " ms (shutdown_drain_window)" : ""));
    }

    /** The running parts, for the unit tests of this package. */
    Wiring parts() {
        return parts;
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
        parts.connections.open(socket);
    }

    public void receive(Session socket, String part, boolean last) {
        parts.connections.receive(socket, part, last);
    }

    public void pong(Session socket) {
        parts.connections.pong(socket);
    }

    public void close(Session socket) {
        parts.connections.close(socket);
    }

    public void error(Session socket, Throwable error) {
        parts.connections.error(socket, error);
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
        parts.connections.openRoom(socket, sid, dialect, identifiers, pingMillis, opened);
    }

    /**
     * A part of a room's text frame: a whole one within {@code max_message_size} and the command rate limit goes to
     * {@code handler} on the connection's lane, in order with the rest of the connection's work.
     */
    public void receive(Session socket, String part, boolean last, BiConsumer<CableSession, String> handler) {
        parts.connections.receive(socket, part, last, (session, frame) -> {
            handler.accept(session, frame);
            return null;
        });
    }

    /**
     * Opens a server-sent events connection ({@code dev.jcable.sse}): on its lane, identified and welcomed as a
     * WebSocket connection is, then subscribed by {@code subscribe}, the AnyCable command its query stands for (its
     * answer decides the HTTP status: the transport holds the response until then).
     */
    public void openSse(CableSession session, HandshakeHeaders.Taken taken, String url, Command subscribe) {
        parts.connections.openSse(session, taken, url, subscribe);
    }

    /** A server-sent events connection ended (the client went, or the server completed it): cleaned up once. */
    public void closed(CableSession session) {
        parts.connections.closed(session);
    }

    /** A session of this node's limits for a server-sent events connection writing to {@code transport}. */
    public CableSession sseSession(SseTransport transport, Map<String, List<String>> parameters) {
        return new CableSession(parts.connections.newSid(), transport, parameters, config.wsMaxPendingSize(),
                config.maxFrameSize(), parts.connections.host());
    }

    /** Subscribes as a stream subscription does (hub, broker, the session's map); returns it attached. */
    public Subscription attach(CableSession session, Subscription subscription) {
        return parts.streams.attach(session, subscription);
    }

    /** Takes a subscription out of the session, the hub and the broker; leaves its presence at once. */
    public void detach(CableSession session, Subscription subscription) {
        if (session.subscriptions().remove(subscription.identifier(), subscription)) {
            parts.streams.detach(session, subscription);
            session.discard(subscription.identifier());
            if (subscription.spec().presence()) {
                parts.broker.presenceRemove(subscription.spec().stream(), session.sid());
            }
        }
    }

    /** Joins presence as a client's {@code join} does (one member per id, events, webhooks, the TTL on close). */
    public JoinResult join(CableSession session, String stream, String id, String info) {
        return parts.broker.presenceAdd(stream, session.sid(), id, info);
    }

    /** A Pusher client event, for Pusher's {@code client_event} webhook (queued, never blocks). */
    public void clientEvent(String channel, String event, String data, String socketId, String userId) {
        parts.notifier.clientEvent(channel, event, data, socketId, userId);
    }

    /** A transient message to the stream's subscribers on every node, never stored (a whisper, a client event). */
    public void whisper(Publication publication) {
        parts.broker.whisper(publication);
    }

    /**
     * Runs {@code task} on the stream's delivery lane, after every fan-out and presence event of the stream queued
     * so far: a reply built there is ordered with the stream's events. While the stream's fan-outs are
     * {@link DeliveryPool#MAX_QUEUED} behind it is dropped, and the stream's subscribers here are resynced as for a
     * dropped presence event ({@code out_of_sync}): the reply (a member list) would have been stale anyway.
     */
    public void inStreamOrder(String stream, Runnable task) {
        parts.output.inStreamOrder(stream, task);
    }

    // ---- API for the HTTP and Java boundaries ------------------------------------------------------

    /** A publication ({@link #publish}) or a remote command (to every node), as a broadcast adapter carries them. */
    public void broadcast(Broadcast broadcast) {
        if (broadcast instanceof Publication publication) {
            publish(publication);
        } else {
            parts.broker.command((RemoteCommand) broadcast);
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
        if (!parts.fanout.accepts(publication.stream())) {
            throw new Overloaded("delivery of stream '" + publication.stream() + "' is "
                    + DeliveryPool.MAX_QUEUED + " fan-outs behind; try again later");
        }
        parts.broker.publish(publication);
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
            Class<?> type = identifierClass != null ? identifierClass : identifier.getClass();
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
        return parts.broker.presenceInfo(stream);
    }

    public int presenceCount(String stream) {
        return parts.broker.presenceCount(stream);
    }

    /**
     * The streams whose names start with {@code prefix} and that have a subscriber on some node (cluster-wide in
     * Pusher mode, see {@link dev.jcable.broker.Broker#occupiedStreams}) or presence members.
     */
    public Set<String> occupiedStreams(String prefix) {
        Set<String> streams = new java.util.TreeSet<>(parts.broker.occupiedStreams(prefix));
        streams.addAll(parts.broker.presenceStreams(prefix));
        return streams;
    }

    /** Whether {@code stream} has a subscriber on some node (as {@link #occupiedStreams}) or presence members. */
    public boolean occupied(String stream) {
        return parts.broker.occupied(stream) || parts.broker.presenceCount(stream) > 0;
    }

    /** Subscriptions to {@code stream}: cluster-wide in Pusher mode ({@link dev.jcable.broker.Broker#subscriptions}). */
    public int subscriptions(String stream) {
        return parts.broker.subscriptions(stream);
    }

    public String signStream(String stream) {
        return parts.resolver.sign(stream);
    }

    public boolean brokerHealthy() {
        return parts.broker.healthy();
    }

    public int connections() {
        return parts.connections.count();
    }

    // ---- helpers ----------------------------------------------------------------------------------

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
