package dev.jcable.node;

import dev.jcable.api.Publication;
import dev.jcable.broker.Broker;
import dev.jcable.broker.BrokerListener;
import dev.jcable.broker.ExpiryTimer;
import dev.jcable.broker.JoinResult;
import dev.jcable.broker.MemoryBroker;
import dev.jcable.broker.PresenceEvent;
import dev.jcable.broker.PresenceInfo;
import dev.jcable.config.CableConfig;
import dev.jcable.hub.Hub;
import dev.jcable.protocol.Codec;
import dev.jcable.protocol.Command;
import dev.jcable.protocol.JsonText;
import dev.jcable.protocol.ProtocolException;
import dev.jcable.session.CableSession;
import dev.jcable.session.Pinger;
import dev.jcable.session.Subscription;
import dev.jcable.streams.MessageVerifier;
import dev.jcable.streams.StreamResolver;
import dev.jcable.streams.StreamSpec;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The core: one instance per deployment. The WebSocket endpoint hands it every open, frame and close; the HTTP API
 * and the Java API hand it publications. It owns the session registry, the hub and the broker, and turns commands
 * into broker calls and broker output into frames.
 */
@ApplicationScoped
public class Node implements BrokerListener {

    private static final Logger LOG = Logger.getLogger(Node.class.getName());
    private static final String SESSION_KEY = "jcable.session";
    private static final long SHUTDOWN_FLUSH_MILLIS = 2000;

    @Inject
    CableConfig config;

    @Resource(lookup = "java:comp/DefaultManagedScheduledExecutorService")
    ManagedScheduledExecutorService scheduler;

    @Resource(lookup = "java:comp/DefaultManagedExecutorService")
    ManagedExecutorService executor;

    private final Map<String, CableSession> sessions = new ConcurrentHashMap<>();
    private final Hub hub = new Hub();
    private final SecureRandom random = new SecureRandom();
    private StreamResolver resolver;
    private Broker broker;
    private ExpiryTimer expiryTimer;
    private Pinger pinger;
    private volatile CountDownLatch shutdown;

    /** Starts the node with the deployment, so that a bad configuration fails the deployment itself. */
    void startWithDeployment(@Observes @Initialized(ApplicationScoped.class) Object event) {
        LOG.fine("jcable: node started with the deployment");
    }

    @PostConstruct
    void start() {
        resolver = new StreamResolver(new MessageVerifier(config.streamsSecret()), config.publicStreams(),
                config.streamsPresence(), false);
        expiryTimer = new ExpiryTimer(scheduler, System::currentTimeMillis);
        MemoryBroker memory = new MemoryBroker(System::currentTimeMillis, config.presenceTtl(),
                config.presenceMaxMembers(), expiryTimer);
        expiryTimer.setTask(memory::expire);
        broker = memory;
        broker.start(this);
        pinger = new Pinger(scheduler);
        LOG.info(() -> "jcable: ready, broker " + config.broker() + " (presence ttl " + config.presenceTtl().toMillis()
                + " ms), ping every " + config.pingInterval().toMillis() + " ms");
    }

    @PreDestroy
    void stop() {
        List<CableSession> open = List.copyOf(sessions.values());
        shutdown = new CountDownLatch(open.size());
        for (CableSession session : open) {
            session.disconnect("server_restart", true, CloseReason.CloseCodes.GOING_AWAY, "Server restart");
        }
        try {
            // let the disconnect frames reach the clients before the container tears the sockets down
            shutdown.await(SHUTDOWN_FLUSH_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        pinger.stop();
        expiryTimer.stop();
        broker.stop();
        LOG.info(() -> "jcable: stopped; " + open.size() + " connection(s) told server_restart");
    }

    // ---- connections ------------------------------------------------------------------------------

    public void open(Session socket) {
        String sid = newSid();
        CableSession session = new CableSession(sid, socket, config.wsMaxPendingSize(), executor);
        socket.getUserProperties().put(SESSION_KEY, session);
        socket.getAsyncRemote().setSendTimeout(config.wsWriteTimeout().toMillis());
        sessions.put(sid, session);
        session.send(Codec.welcome(sid));
        pinger.add(session, pingInterval(socket), pingPrecision(socket));
    }

    public void receive(Session socket, String part, boolean last) {
        CableSession session = session(socket);
        if (session == null) {
            return;
        }
        String frame = session.assemble(part, last, config.maxMessageSize());
        if (frame == null) {
            return;
        }
        if (frame == CableSession.TOO_LARGE) {
            badFrame(session, "frame larger than max_message_size (" + config.maxMessageSize() + ")");
            return;
        }
        try {
            handle(session, Codec.decode(frame));
        } catch (ProtocolException e) {
            badFrame(session, e.getMessage());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "jcable: command failed for session " + session.sid(), e);
        }
    }

    public void close(Session socket) {
        CableSession session = session(socket);
        if (session == null || sessions.remove(session.sid()) == null) {
            return;
        }
        pinger.remove(session, pingInterval(socket), pingPrecision(socket));
        for (Subscription subscription : session.subscriptions().values()) {
            hub.unsubscribe(session, subscription);
        }
        broker.presenceDisconnected(session.sid());
        CountDownLatch closing = shutdown;
        if (closing != null) {
            closing.countDown();
        }
    }

    public void error(Session socket, Throwable error) {
        CableSession session = session(socket);
        LOG.log(Level.FINE, "jcable: socket error on session " + (session == null ? "?" : session.sid()), error);
    }

    // ---- commands ---------------------------------------------------------------------------------

    private void handle(CableSession session, Command command) {
        switch (command.command()) {
            case "subscribe" -> subscribe(session, command);
            case "unsubscribe" -> unsubscribe(session, command);
            case "message" -> perform(session, command);
            case "join" -> join(session, command, subscription(session, command));
            case "leave" -> leave(session, command);
            case "presence" -> presence(session, command);
            case "history" -> history(session, command);
            case "ping" -> session.send(Codec.pong());
            case "pong" -> { } // keepalive only: any inbound frame proves liveness
            default -> badFrame(session, "unknown command '" + command.command() + "'");
        }
    }

    private void subscribe(CableSession session, Command command) {
        String identifier = command.identifier();
        if (identifier == null) {
            badFrame(session, "subscribe without identifier");
            return;
        }
        if (session.subscriptions().containsKey(identifier)) {
            badFrame(session, "already subscribed to " + identifier);
            return;
        }
        String quoted = JsonText.quote(identifier);
        if (session.subscriptions().size() >= config.maxSubscriptions()) {
            badFrame(session, "max_subscriptions (" + config.maxSubscriptions() + ") reached");
            session.send(Codec.typed("reject_subscription", quoted));
            return;
        }
        Optional<StreamSpec> spec = resolver.resolve(identifier);
        if (spec.isEmpty()) {
            LOG.fine(() -> "jcable: rejected subscription " + identifier + " of session " + session.sid());
            session.send(Codec.typed("reject_subscription", quoted));
            return;
        }
        Subscription subscription = new Subscription(identifier, quoted, spec.get());
        session.subscriptions().put(identifier, subscription);
        hub.subscribe(session, subscription);
        session.send(Codec.typed("confirm_subscription", quoted));
        if (command.history() != null) {
            history(session, command);
        }
        if (command.presence() != null) {
            join(session, command, subscription);
        }
    }

    private void unsubscribe(CableSession session, Command command) {
        Subscription subscription = session.subscriptions().remove(nullToEmpty(command.identifier()));
        if (subscription == null) {
            badFrame(session, "unsubscribe from unknown identifier");
            return;
        }
        hub.unsubscribe(session, subscription);
        if (subscription.spec().presence()) {
            broker.presenceRemove(subscription.spec().stream(), session.sid());
        }
    }

    private void perform(CableSession session, Command command) {
        if (subscription(session, command) == null) {
            badFrame(session, "message for unknown identifier");
        } else if (!(command.data() instanceof JsonString)) {
            badFrame(session, "message data must be a JSON string");
        }
        // $pubsub channels have no actions: a well-formed perform is accepted and does nothing
    }

    /** History needs a history-keeping broker; until then every request is answered, and refused. */
    private void history(CableSession session, Command command) {
        Subscription subscription = subscription(session, command);
        if (subscription == null) {
            badFrame(session, "history for unknown identifier");
        } else if (session.extended()) {
            session.send(Codec.typed("reject_history", subscription.quotedIdentifier()));
        }
    }

    private void join(CableSession session, Command command, Subscription subscription) {
        if (subscription == null) {
            badFrame(session, "join for unknown identifier");
            return;
        }
        String refusal = joinRefusal(session, command.presence(), subscription);
        if (refusal != null) {
            badFrame(session, "join refused: " + refusal);
            session.send(Codec.presence(subscription.quotedIdentifier(), Codec.presenceError(refusal)));
        }
    }

    /** Joins, or says why not: {@code presence_disabled}, {@code invalid_presence}, {@code info_too_large}, … */
    private String joinRefusal(CableSession session, JsonObject presence, Subscription subscription) {
        if (!subscription.spec().presence()) {
            return "presence_disabled";
        }
        String id = presence == null ? null : presenceId(presence.get("id"));
        if (id == null || id.isEmpty()) {
            return "invalid_presence";
        }
        JsonValue infoValue = presence.get("info");
        String info = infoValue == null || infoValue.getValueType() == JsonValue.ValueType.NULL
                ? null : infoValue.toString();
        if (info != null && info.length() > config.presenceInfoMaxSize()) {
            return "info_too_large";
        }
        JoinResult result = broker.presenceAdd(subscription.spec().stream(), session.sid(), id, info);
        return switch (result) {
            case JOINED, UPDATED -> null;
            case ID_MISMATCH -> "id_mismatch";
            case MEMBERS_LIMIT -> "members_limit";
            case SESSION_CLOSED -> "session_closed";
        };
    }

    /** The JS client sends {@code String(id)}; other clients may send a number. */
    private static String presenceId(JsonValue value) {
        if (value instanceof JsonString s) {
            return s.getString();
        }
        if (value instanceof JsonNumber n) {
            return n.toString();
        }
        return null;
    }

    private void leave(CableSession session, Command command) {
        Subscription subscription = subscription(session, command);
        if (subscription == null) {
            badFrame(session, "leave for unknown identifier");
        } else if (subscription.spec().presence()) {
            broker.presenceRemove(subscription.spec().stream(), session.sid());
        }
    }

    private void presence(CableSession session, Command command) {
        Subscription subscription = subscription(session, command);
        String quoted = subscription != null ? subscription.quotedIdentifier()
                : JsonText.quote(nullToEmpty(command.identifier()));
        if (subscription == null || !subscription.spec().presence()) {
            String reason = subscription == null ? "not_subscribed" : "presence_disabled";
            session.send(Codec.presence(quoted, Codec.presenceError(reason)));
            return;
        }
        boolean records = !(command.data() instanceof JsonObject data
                && data.get("return_records") == JsonValue.FALSE);
        PresenceInfo info = broker.presenceInfo(subscription.spec().stream());
        session.send(Codec.presence(quoted, Codec.presenceInfo(info, records)));
    }

    // ---- broker output ----------------------------------------------------------------------------

    @Override
    public void deliver(Publication publication) {
        hub.broadcast(publication.stream(), JsonText.messageValue(publication.data()), publication.excludeSocket(),
                false);
    }

    @Override
    public void presence(String stream, PresenceEvent event) {
        hub.broadcast(stream, Codec.presenceEvent(event), null, true);
    }

    // ---- API for the HTTP and Java boundaries ------------------------------------------------------

    public void publish(Publication publication) {
        broker.publish(publication);
    }

    public PresenceInfo presenceInfo(String stream) {
        return broker.presenceInfo(stream);
    }

    public String signStream(String stream) {
        return resolver.sign(stream);
    }

    public int connections() {
        return sessions.size();
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private static Subscription subscription(CableSession session, Command command) {
        return command.identifier() == null ? null : session.subscriptions().get(command.identifier());
    }

    private static CableSession session(Session socket) {
        return (CableSession) socket.getUserProperties().get(SESSION_KEY);
    }

    private void badFrame(CableSession session, String why) {
        if (session.firstBadFrame()) {
            LOG.warning(() -> "jcable: ignoring a frame from session " + session.sid() + ": " + why
                    + " (the connection stays open; further bad frames of this session are logged at FINE)");
        } else {
            LOG.fine(() -> "jcable: ignoring a frame from session " + session.sid() + ": " + why);
        }
    }

    private long pingInterval(Session socket) {
        List<String> pi = socket.getRequestParameterMap().get("pi");
        if (pi != null && !pi.isEmpty()) {
            try {
                long seconds = Long.parseLong(pi.get(0));
                if (seconds >= 0) {
                    return seconds * 1000;
                }
            } catch (NumberFormatException e) {
                // fall through to the server's interval
            }
        }
        return config.pingInterval().toMillis();
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

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
