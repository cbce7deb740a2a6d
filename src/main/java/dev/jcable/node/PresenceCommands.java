package dev.jcable.node;

import dev.jcable.broker.Broker;
import dev.jcable.broker.BrokerUnavailableException;
import dev.jcable.broker.JoinResult;
import dev.jcable.config.CableConfig;
import dev.jcable.protocol.Codec;
import dev.jcable.protocol.Command;
import dev.jcable.protocol.JsonText;
import dev.jcable.protocol.PresenceInfo;
import dev.jcable.session.CableSession;
import dev.jcable.session.Subscription;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

/** {@code join}, {@code leave} and {@code presence}: presence on the stream of a subscription. */
final class PresenceCommands {

    private final Broker broker;
    private final CableConfig config;

    PresenceCommands(Broker broker, CableConfig config) {
        this.broker = broker;
        this.config = config;
    }

    void join(CableSession session, Command command, Subscription subscription) {
        if (subscription == null) {
            BadFrames.report(session, "join for unknown identifier");
            return;
        }
        JsonObject presence = command.presence();
        String id = presence == null ? null : presenceId(presence.get("id"));
        JsonValue infoValue = presence == null ? null : presence.get("info");
        String info = infoValue == null || infoValue.getValueType() == JsonValue.ValueType.NULL
                ? null : JsonText.safe(infoValue.toString());
        join(session, subscription, id, info);
    }

    /**
     * Joins {@code id} with {@code info} (JSON text or null), or answers the session why not. A client's
     * {@code join} and a channel's server-side join both come here, so they produce the same events and errors.
     */
    void join(CableSession session, Subscription subscription, String id, String info) {
        String refusal = refusal(session, subscription, id, info);
        if (refusal != null) {
            BadFrames.report(session, "join refused: " + refusal);
            session.send(Codec.presence(subscription.quotedIdentifier(), Codec.presenceError(refusal)));
        }
    }

    /** Joins, or says why not: {@code presence_disabled}, {@code invalid_presence}, {@code info_too_large}, … */
    private String refusal(CableSession session, Subscription subscription, String id, String info) {
        if (!subscription.spec().presence()) {
            return "presence_disabled";
        }
        if (id == null || id.isEmpty()) {
            return "invalid_presence";
        }
        if (!config.presenceIdentity().isEmpty() && !id.equals(identity(session))) {
            return "forbidden_id";
        }
        if (info != null && info.length() > config.presenceInfoMaxSize()) {
            return "info_too_large";
        }
        JoinResult result;
        try {
            result = broker.presenceAdd(subscription.spec().stream(), session.sid(), id, info);
        } catch (BrokerUnavailableException e) {
            return "broker_unavailable";
        }
        return switch (result) {
            case JOINED, UPDATED -> null;
            case ID_MISMATCH -> "id_mismatch";
            case MEMBERS_LIMIT -> "members_limit";
            case SESSION_CLOSED -> "session_closed";
        };
    }

    /** The value of the connection identifier named by {@code presence_identity}, or null when it has none. */
    private String identity(CableSession session) {
        JsonObject identifiers = session.identifiers() == null ? null : ChannelCommands.params(session.identifiers());
        return identifiers == null ? null : presenceId(identifiers.get(config.presenceIdentity()));
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

    void leave(CableSession session, Subscription subscription) {
        if (subscription == null) {
            BadFrames.report(session, "leave for unknown identifier");
        } else if (subscription.spec().presence()) {
            broker.presenceRemove(subscription.spec().stream(), session.sid());
        }
    }

    void info(CableSession session, Command command, Subscription subscription) {
        String quoted = subscription != null ? subscription.quotedIdentifier()
                : JsonText.quote(command.identifier() == null ? "" : command.identifier());
        if (subscription == null || !subscription.spec().presence()) {
            String reason = subscription == null ? "not_subscribed" : "presence_disabled";
            session.send(Codec.presence(quoted, Codec.presenceError(reason)));
            return;
        }
        boolean records = !(command.data() instanceof JsonObject data
                && data.get("return_records") == JsonValue.FALSE);
        PresenceInfo info;
        try {
            info = broker.presenceInfo(subscription.spec().stream());
        } catch (BrokerUnavailableException e) {
            session.send(Codec.presence(quoted, Codec.presenceError("broker_unavailable")));
            return;
        }
        // capped so that it always fits what one client may have waiting: any room's reply can be sent
        session.send(Codec.presence(quoted, Codec.presenceInfo(info, records, config.wsMaxPendingSize())));
    }
}
