package dev.jcable.pusher;

import dev.jcable.broker.BrokerUnavailableException;
import dev.jcable.broker.JoinResult;
import dev.jcable.broker.Publication;
import dev.jcable.config.CableConfig;
import dev.jcable.config.PusherConfig;
import dev.jcable.node.Node;
import dev.jcable.protocol.JsonText;
import dev.jcable.protocol.PresenceInfo;
import dev.jcable.session.CableSession;
import dev.jcable.session.Subscription;
import dev.jcable.streams.StreamSpec;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Pusher's protocol (version 7) over jcable's node: a Pusher channel is the jcable stream of the same name, its
 * members are the stream's presence members, its events are publications and whispers of the stream. Connections
 * are node sessions in the Pusher {@link PusherConnection dialect}; frames leave through the same outbox.
 */
@ApplicationScoped
public class PusherRoom {

    private static final Logger LOG = Logger.getLogger(PusherRoom.class.getName());
    /**
     * Seconds of silence after which pusher-js pings (Pusher's own value); the server's {@code pusher:ping} goes out
     * as often. Dead peers are found sooner by jcable's liveness (WebSocket pings, pong_timeout).
     */
    static final int ACTIVITY_TIMEOUT = 120;

    @Inject
    Node node;

    @Inject
    CableConfig config;

    private final SecureRandom random = new SecureRandom();

    /** The socket property of a connection counted against {@code pusher_max_connections}, released at its close. */
    private static final String COUNTED = "jcable.pusher.counted";
    /** Pusher connections open on this node, counted when a quota is set ({@code pusher_max_connections}). */
    private final AtomicInteger counted = new AtomicInteger();
    private final AtomicBoolean quotaLogged = new AtomicBoolean();

    /** The start-up line names the endpoints, as AnyCable's does. */
    void announce(@Observes @Initialized(ApplicationScoped.class) Object event) {
        PusherConfig pusher = config.pusher();
        if (pusher.enabled()) {
            LOG.info(() -> "jcable: Pusher mode: WebSocket connections at /app/" + pusher.appKey()
                    + ", HTTP API at /apps/" + pusher.appId() + "/"
                    + (pusher.webhookUrl().isEmpty() ? "" : ", webhooks to "
                    + CableConfig.redactUrl(pusher.webhookUrl())));
        }
    }

    public void open(Session socket, String appKey) {
        PusherConfig pusher = config.pusher();
        if (!pusher.enabled() || !pusher.appKey().equals(appKey)) {
            refuse(socket, 4001, "App key " + appKey + " not in this cluster. Did you forget to specify the cluster?");
            return;
        }
        String protocol = first(socket.getRequestParameterMap().get("protocol"));
        if (protocol != null && !List.of("5", "6", "7").contains(protocol)) {
            refuse(socket, 4007, "Unsupported protocol version " + protocol);
            return;
        }
        if (!admit(socket, pusher.maxConnections())) {
            return;
        }
        String socketId = random.nextInt(Integer.MAX_VALUE) + "." + random.nextInt(Integer.MAX_VALUE);
        PusherConnection connection = new PusherConnection(System::currentTimeMillis);
        // on the connection's lane, before any of its frames: every step of a connection runs there, in order
        node.openRoom(socket, socketId, connection, "{\"socket_id\":" + JsonText.quote(socketId) + "}",
                ACTIVITY_TIMEOUT * 1000L, session -> session.send(PusherFrames.established(socketId, ACTIVITY_TIMEOUT)));
    }

    public void receive(Session socket, String part, boolean last) {
        node.receive(socket, part, last, this::handle);
    }

    public void pong(Session socket) {
        node.pong(socket);
    }

    public void close(Session socket) {
        release(socket);
        node.close(socket);
    }

    public void error(Session socket, Throwable error) {
        node.error(socket, error);
    }

    /**
     * The app's connection quota on this node: one connection over it is refused as Pusher refuses an app over
     * capacity (4100: pusher-js tries again after a back-off, maybe reaching another node), not 4004 (an app over its
     * plan's quota, after which pusher-js gives up for good).
     */
    private boolean admit(Session socket, int quota) {
        if (quota <= 0) {
            return true;
        }
        if (counted.incrementAndGet() > quota) {
            counted.decrementAndGet();
            if (quotaLogged.compareAndSet(false, true)) {
                LOG.warning(() -> "jcable: Pusher connection refused: pusher_max_connections (" + quota + ") are open"
                        + " on this node (later refusals are logged at FINE)");
            } else {
                LOG.fine(() -> "jcable: Pusher connection refused: pusher_max_connections (" + quota + ") are open");
            }
            refuse(socket, 4100, "Over capacity: the connection quota of this node (" + quota + ") is reached");
            return false;
        }
        socket.getUserProperties().put(COUNTED, Boolean.TRUE);
        return true;
    }

    /** Once per counted connection, whichever of the container's callbacks comes last. */
    private void release(Session socket) {
        if (socket.getUserProperties().remove(COUNTED) != null) {
            counted.decrementAndGet();
        }
    }

    private void handle(CableSession session, String text) {
        if (!(session.dialect() instanceof PusherConnection connection)) {
            return; // not a Pusher session (cannot happen: only this room's endpoint comes here)
        }
        JsonObject frame;
        try {
            frame = JsonText.parse(text) instanceof JsonObject object ? object : null;
        } catch (JsonException e) {
            frame = null;
        }
        String event = frame == null ? null : string(frame, "event");
        if (event == null) {
            bad(session, "a frame that is not {\"event\":…}");
            return;
        }
        switch (event) {
            case "pusher:ping" -> session.send(PusherFrames.pong());
            case "pusher:pong" -> session.sendsPongs(); // its answers to pusher:ping now prove it alive
            case "pusher:subscribe" -> subscribe(session, connection, data(frame));
            case "pusher:unsubscribe" -> unsubscribe(session, connection, data(frame));
            default -> {
                if (event.startsWith("client-")) {
                    clientEvent(session, connection, event, frame);
                } else {
                    bad(session, "unsupported event " + event);
                }
            }
        }
    }

    private void subscribe(CableSession session, PusherConnection connection, JsonObject data) {
        String channel = data == null ? null : string(data, "channel");
        if (!PusherChannels.valid(channel)) {
            bad(session, "pusher:subscribe without a valid channel name");
            return;
        }
        if (session.subscriptions().containsKey(channel)) {
            return; // subscribed already: its subscription_succeeded went out
        }
        if (session.subscriptions().size() >= config.maxSubscriptions()) {
            session.send(PusherFrames.subscriptionError(channel, "LimitReached",
                    "max_subscriptions (" + config.maxSubscriptions() + ") reached", 403));
            return;
        }
        String channelData = PusherChannels.isPresence(channel) ? string(data, "channel_data") : null;
        if (PusherChannels.isAuthorized(channel) && !authorized(session, channel, string(data, "auth"), channelData)) {
            return;
        }
        Member member = null;
        if (PusherChannels.isPresence(channel)) {
            member = member(channelData);
            if (member == null) {
                session.send(PusherFrames.subscriptionError(channel, "InvalidChannelData",
                        "channel_data must be a JSON object with a user_id, and user_info within "
                                + config.presenceInfoMaxSize() + " characters", 400));
                return;
            }
        }
        StreamSpec spec = new StreamSpec(channel, PusherChannels.isPresence(channel),
                PusherChannels.isAuthorized(channel));
        Subscription subscription;
        try {
            subscription = node.attach(session, new Subscription(channel, spec));
        } catch (BrokerUnavailableException e) {
            session.send(PusherFrames.subscriptionError(channel, "Unavailable", "broker unavailable", 503));
            return;
        }
        if (member == null) {
            session.send(PusherFrames.succeeded(channel));
            return;
        }
        connection.joined(channel, member.id()); // before the join: its own member_added is not for it
        String refusal = join(session, channel, member);
        if (refusal != null) {
            node.detach(session, subscription);
            connection.left(channel);
            session.send(PusherFrames.subscriptionError(channel, "PresenceRefused", refusal, 403));
            return;
        }
        // the member list is read on the stream's delivery lane: every member_added and member_removed queued
        // before it went out before it, and the ones after it come after the list (pusher-js starts from the list)
        node.inStreamOrder(channel, () -> sendMembers(session, connection, channel));
    }

    private String join(CableSession session, String channel, Member member) {
        try {
            JoinResult result = node.join(session, channel, member.id(), member.info());
            return switch (result) {
                case JOINED, UPDATED -> null;
                case MEMBERS_LIMIT -> "presence_max_members (" + config.presenceMaxMembers() + ") reached";
                case ID_MISMATCH -> "joined under another user_id";
                case SESSION_CLOSED -> "connection closed";
            };
        } catch (BrokerUnavailableException e) {
            return "broker unavailable";
        }
    }

    private void sendMembers(CableSession session, PusherConnection connection, String channel) {
        if (connection.userId(channel) == null) {
            return; // unsubscribed meanwhile
        }
        try {
            PresenceInfo members = node.presenceInfo(channel);
            connection.listed(channel, members);
            session.send(PusherFrames.succeeded(channel, members));
        } catch (BrokerUnavailableException e) {
            session.send(PusherFrames.subscriptionError(channel, "Unavailable", "broker unavailable", 503));
        }
    }

    private boolean authorized(CableSession session, String channel, String auth, String channelData) {
        PusherConfig pusher = config.pusher();
        String expected = PusherSigning.channelAuth(pusher.appKey(), pusher.secret(), session.sid(), channel,
                channelData);
        if (PusherSigning.matches(expected, auth)) {
            return true;
        }
        LOG.fine(() -> "jcable: Pusher connection " + session.sid() + " sent a bad signature for " + channel);
        session.send(PusherFrames.subscriptionError(channel, "AuthError", "Invalid signature: expected HMAC-SHA256 of '"
                + session.sid() + ":" + channel + (channelData == null ? "" : ":<channel_data>")
                + "' with the app secret, as <app key>:<hex>", 401));
        return false;
    }

    private void unsubscribe(CableSession session, PusherConnection connection, JsonObject data) {
        String channel = data == null ? null : string(data, "channel");
        Subscription subscription = channel == null ? null : session.subscriptions().get(channel);
        if (subscription != null) {
            connection.left(channel);
            node.detach(session, subscription);
        }
    }

    /** {@code client-*} on a private or presence channel this connection is subscribed to: to everyone else. */
    private void clientEvent(CableSession session, PusherConnection connection, String event, JsonObject frame) {
        String channel = string(frame, "channel");
        if (channel == null || !PusherChannels.isAuthorized(channel) || !session.subscriptions().containsKey(channel)
                || event.length() > 200) {
            session.send(PusherFrames.error(null, "Client event rejected - only supported on private and presence"
                    + " channels the connection is subscribed to"));
            return;
        }
        if (!connection.allowClientEvent()) {
            session.send(PusherFrames.error(4301, "Client event rejected - only "
                    + PusherConnection.CLIENT_EVENTS_PER_SECOND + " accepted per second"));
            return;
        }
        JsonValue value = frame.get("data");
        String data = value == null ? "{}" : value instanceof JsonString s ? s.getString()
                : JsonText.safe(value.toString());
        String userId = PusherChannels.isPresence(channel) ? connection.userId(channel) : null;
        node.whisper(new Publication(channel, new PusherEnvelope(event, data, userId).encode(), session.sid()));
        node.clientEvent(channel, event, data, session.sid(), userId);
    }

    /** A presence member from {@code channel_data}: {@code {"user_id":…,"user_info":…}}, or null when invalid. */
    private Member member(String channelData) {
        if (channelData == null) {
            return null;
        }
        try {
            if (!(JsonText.parse(channelData) instanceof JsonObject object)) {
                return null;
            }
            JsonValue userId = object.get("user_id");
            String id = userId instanceof JsonString s ? s.getString()
                    : userId instanceof JsonNumber n ? n.toString() : null;
            JsonValue infoValue = object.get("user_info");
            String info = infoValue == null || infoValue == JsonValue.NULL ? null : JsonText.safe(infoValue.toString());
            if (id == null || id.isEmpty() || (info != null && info.length() > config.presenceInfoMaxSize())) {
                return null;
            }
            return new Member(id, info);
        } catch (JsonException e) {
            return null;
        }
    }

    private record Member(String id, String info) {
    }

    private static void bad(CableSession session, String why) {
        if (session.firstBadFrame()) {
            LOG.warning(() -> "jcable: Pusher connection " + session.sid() + " sent " + why
                    + " (later bad frames of this connection are logged at FINE)");
        } else {
            LOG.fine(() -> "jcable: Pusher connection " + session.sid() + " sent " + why);
        }
        session.send(PusherFrames.error(null, "Unsupported: " + why));
    }

    /** {@code data} as an object; pusher-js sends one, some clients send it as JSON text. */
    private static JsonObject data(JsonObject frame) {
        JsonValue data = frame.get("data");
        if (data instanceof JsonObject object) {
            return object;
        }
        if (data instanceof JsonString text) {
            try {
                return JsonText.parse(text.getString()) instanceof JsonObject object ? object : null;
            } catch (JsonException e) {
                return null;
            }
        }
        return null;
    }

    private static String string(JsonObject object, String key) {
        return object.get(key) instanceof JsonString s ? s.getString() : null;
    }

    private static String first(List<String> values) {
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** Before any session exists: the error Pusher documents, then the close with its code. */
    private static void refuse(Session socket, int code, String message) {
        try {
            socket.getBasicRemote().sendText(PusherFrames.error(code, message));
            socket.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code), message.length() > 120
                    ? message.substring(0, 120) : message));
        } catch (IOException | IllegalStateException e) {
            LOG.log(Level.FINE, "jcable: refusing a Pusher connection", e);
        }
    }
}
