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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * {@code join}, {@code leave} and {@code presence}: presence on the stream of a subscription.
 *
 * <p>A {@code presence} request on a large set ({@link #SNAPSHOT_MEMBERS} members or more) is answered from a
 * snapshot of the set at most {@link #SNAPSHOT_MILLIS} old, taken by the first request after the last one expired:
 * a client pipelining {@code presence} into a 10,000-member room costs the broker (and, with {@code broker=redis},
 * Redis) one read of the set per second, not one per frame. The reply itself goes to the asker's own outbox, which
 * its {@code ws_max_pending_size} bounds (a client that asks faster than it reads is cut off as {@code too_slow}).
 */
final class PresenceCommands {

    /** Sets at least this large are served from a snapshot. */
    static final int SNAPSHOT_MEMBERS = 1_000;
    /** The oldest a snapshot may be. */
    static final long SNAPSHOT_MILLIS = 1_000;
    /** Snapshots kept at once (the most recently asked streams); each holds one large set. */
    private static final int SNAPSHOTS = 64;

    private final Broker broker;
    private final CableConfig config;
    private final LongSupplier clock;
    private final Map<String, Snapshot> snapshots = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Snapshot> eldest) {
            return size() > SNAPSHOTS;
        }
    };

    PresenceCommands(Broker broker, CableConfig config, LongSupplier clock) {
        this.broker = broker;
        this.config = config;
        this.clock = clock;
    }

    /** A large set as it was at {@code at}, with its two replies ({@code return_records} true and false). */
    private record Snapshot(long at, String withRecords, String totalOnly) {
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
        String stream = subscription.spec().stream();
        long now = clock.getAsLong();
        Snapshot snapshot;
        synchronized (snapshots) {
            snapshot = snapshots.get(stream);
        }
        if (snapshot != null && now - snapshot.at() < SNAPSHOT_MILLIS) {
            session.send(Codec.presence(quoted, records ? snapshot.withRecords() : snapshot.totalOnly()));
            return;
        }
        // events of the stream wait from before the read until the reply is queued: one published after the read
        // (its pub/sub delivery can overtake the script's reply) would otherwise reach the client first, be ignored
        // there (no set yet) and be missing from its set for good
        String hold = Subscription.presenceHold(subscription.identifier());
        session.hold(hold);
        try {
            answer(session, quoted, stream, records, now, snapshot);
        } finally {
            session.release(hold);
        }
    }

    private void answer(CableSession session, String quoted, String stream, boolean records, long now,
                        Snapshot snapshot) {
        PresenceInfo info;
        try {
            info = broker.presenceInfo(stream);
        } catch (BrokerUnavailableException e) {
            session.send(Codec.presence(quoted, Codec.presenceError("broker_unavailable")));
            return;
        }
        // capped so that it always fits what one client may have waiting: any room's reply can be sent
        String reply = Codec.presenceInfo(info, records, config.wsMaxPendingSize());
        if (info.total() >= SNAPSHOT_MEMBERS) {
            String other = Codec.presenceInfo(info, !records, config.wsMaxPendingSize());
            Snapshot taken = new Snapshot(now, records ? reply : other, records ? other : reply);
            synchronized (snapshots) {
                snapshots.put(stream, taken);
            }
        } else if (snapshot != null) {
            synchronized (snapshots) {
                snapshots.remove(stream);
            }
        }
        session.send(Codec.presence(quoted, reply));
    }
}
