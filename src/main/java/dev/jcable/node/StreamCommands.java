package dev.jcable.node;

import dev.jcable.broker.Broker;
import dev.jcable.broker.BrokerUnavailableException;
import dev.jcable.broker.Publication;
import dev.jcable.broker.StreamMessage;
import dev.jcable.config.CableConfig;
import dev.jcable.hub.DeliveryPool;
import dev.jcable.hub.Hub;
import dev.jcable.metrics.Counter;
import dev.jcable.protocol.Codec;
import dev.jcable.protocol.Command;
import dev.jcable.protocol.JsonText;
import dev.jcable.session.CableSession;
import dev.jcable.session.Subscription;
import dev.jcable.streams.StreamResolver;
import dev.jcable.streams.StreamSpec;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.websocket.CloseReason;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.logging.Logger;

/** {@code subscribe}, {@code unsubscribe}, {@code message}, {@code history} and {@code whisper}. */
final class StreamCommands {

    private static final Logger LOG = Logger.getLogger(StreamCommands.class.getName());

    private final Broker broker;
    private final Hub hub;
    private final StreamResolver resolver;
    private final CableConfig config;
    private final PresenceCommands presence;
    /** Whether a stream's fan-outs can take one more now (the delivery pool's bound). */
    private final Predicate<String> accepts;
    private final Overflow droppedWhispers = new Overflow(Counter.DROPPED_WHISPER);

    StreamCommands(Broker broker, Hub hub, StreamResolver resolver, CableConfig config,
                   PresenceCommands presence, Predicate<String> accepts) {
        this.accepts = accepts;
        this.broker = broker;
        this.hub = hub;
        this.resolver = resolver;
        this.config = config;
        this.presence = presence;
    }

    void subscribe(CableSession session, Command command) {
        String quoted = admissible(session, command.identifier());
        if (quoted == null) {
            return;
        }
        String identifier = command.identifier();
        Optional<StreamSpec> spec = resolver.resolve(identifier);
        if (spec.isEmpty()) {
            LOG.fine(() -> "jcable: rejected subscription " + identifier + " of session " + session.sid());
            session.send(Codec.typed("reject_subscription", quoted));
            return;
        }
        if (command.history() != null) {
            session.hold(identifier); // live messages wait behind the history, so offsets arrive in order
        }
        Subscription subscription;
        try {
            subscription = attach(session, new Subscription(identifier, spec.get(), null));
        } catch (BrokerUnavailableException e) {
            LOG.fine(() -> "jcable: rejected subscription " + identifier + ": " + e.getMessage());
            session.discard(identifier);
            session.send(Codec.typed("reject_subscription", quoted));
            return;
        }
        session.send(Codec.typed("confirm_subscription", quoted));
        if (command.history() != null) {
            history(session, command, subscription);
        }
        if (command.presence() != null) {
            presence.join(session, command, subscription);
        }
    }

    /**
     * Checks what every subscribe must pass, whatever its channel: the identifier as a JSON string literal, or null
     * when it was refused (answered with {@code reject_subscription} where the client waits for an answer).
     */
    String admissible(CableSession session, String identifier) {
        if (identifier == null) {
            BadFrames.report(session, "subscribe without identifier");
            return null;
        }
        if (session.subscriptions().containsKey(identifier)) {
            BadFrames.report(session, "already subscribed to " + identifier);
            return null;
        }
        String quoted = JsonText.quote(identifier);
        if (identifier.length() > config.maxIdentifierSize()) {
            BadFrames.report(session, "identifier longer than max_identifier_size (" + config.maxIdentifierSize()
                    + ")");
            session.send(Codec.typed("reject_subscription", quoted));
            return null;
        }
        if (session.subscriptions().size() >= config.maxSubscriptions()) {
            BadFrames.report(session, "max_subscriptions (" + config.maxSubscriptions() + ") reached");
            session.send(Codec.typed("reject_subscription", quoted));
            return null;
        }
        return quoted;
    }

    /** Registers a subscription in the hub and the session, remembering the stream's offset at that moment. */
    Subscription attach(CableSession session, Subscription subscription) {
        if (subscription.spec().stream() == null) { // a Java channel's subscription that streams from nothing
            session.subscriptions().put(subscription.identifier(), subscription);
            return subscription;
        }
        long position = broker.attach(subscription.spec().stream(),
                offset -> hub.subscribe(session, subscription, offset));
        Subscription attached = subscription.at(position);
        session.subscriptions().put(subscription.identifier(), attached);
        return attached;
    }

    /**
     * Registers a subscription in the hub for its stream, leaving the session's map as it is (an RPC subscription's
     * further streams); returns the stream's offset at that moment. {@link #detach} undoes it.
     */
    long follow(CableSession session, Subscription subscription) {
        return broker.attach(subscription.spec().stream(), offset -> hub.subscribe(session, subscription, offset));
    }

    /** Removes the subscription; returns it, or null when there was none. */
    Subscription unsubscribe(CableSession session, Command command) {
        Subscription subscription = command.identifier() == null ? null
                : session.subscriptions().remove(command.identifier());
        if (subscription == null) {
            BadFrames.report(session, "unsubscribe from unknown identifier");
            return null;
        }
        detach(session, subscription);
        session.discard(subscription.identifier());
        if (subscription.spec().presence()) {
            broker.presenceRemove(subscription.spec().stream(), session.sid());
        }
        return subscription;
    }

    /** Takes the subscription out of the hub and the broker's count of the stream's readers. */
    void detach(CableSession session, Subscription subscription) {
        if (subscription.spec().stream() != null) {
            hub.unsubscribe(session, subscription);
            broker.detach(subscription.spec().stream());
        }
    }

    void perform(CableSession session, Command command, Subscription subscription) {
        if (subscription == null) {
            BadFrames.report(session, "message for unknown identifier");
        } else if (!(command.data() instanceof JsonString)) {
            BadFrames.report(session, "message data must be a JSON string");
        }
        // $pubsub and Turbo channels have no actions: a well-formed perform is accepted and does nothing
    }

    /**
     * Sends what the subscriber missed, then {@code confirm_history}; or {@code reject_history} when the broker no
     * longer has it. When the broker cannot be reached now, the client is disconnected with {@code out_of_sync}
     * (reconnect: true) and asks again once back. {@code streams} positions win over {@code since}. History stops at
     * the subscription's position: everything after it arrives (or arrived) live, so nothing is sent twice.
     */
    void history(CableSession session, Command command, Subscription subscription) {
        if (subscription == null) {
            BadFrames.report(session, "history for unknown identifier");
            return;
        }
        try {
            serveHistory(session, command, subscription);
        } finally {
            session.release(subscription.identifier()); // what arrived live meanwhile goes out after it
        }
    }

    private void serveHistory(CableSession session, Command command, Subscription subscription) {
        JsonObject request = command.history();
        if (request == null) {
            BadFrames.report(session, "history without a history object");
            return;
        }
        String stream = subscription.spec().stream();
        if (stream == null) { // a channel subscription that streams from nothing has missed nothing
            session.send(Codec.typed("confirm_history", subscription.quotedIdentifier()));
            return;
        }
        long since = request.get("since") instanceof JsonNumber n ? n.longValue() : 0;
        JsonObject position = request.get("streams") instanceof JsonObject streams
                && streams.get(stream) instanceof JsonObject p ? p : null;
        Optional<List<StreamMessage>> missed;
        try {
            missed = missed(request, stream, since, position, subscription);
        } catch (BrokerUnavailableException e) {
            // the history exists but cannot be read now (Redis away or hung): reject_history would lose it for good,
            // as the official client only reports it and never asks again; told to reconnect, it restores its
            // session (or subscribes again) and asks for the same positions once more
            LOG.fine(() -> "jcable: history of " + stream + " for session " + session.sid()
                    + " cannot be read now; the client is told to reconnect and ask again");
            session.disconnect("out_of_sync", true, CloseReason.CloseCodes.NORMAL_CLOSURE, "Out of sync");
            return;
        }
        if (missed == null) {
            BadFrames.report(session, "history needs 'since' or 'streams'");
            return;
        }
        String quoted = subscription.quotedIdentifier();
        if (missed.isEmpty()) {
            session.send(Codec.typed("reject_history", quoted));
            return;
        }
        for (StreamMessage message : missed.get()) {
            session.send(Codec.message(quoted, JsonText.messageValue(message.data()),
                    Codec.streamMeta(message.stream(), message.epoch(), message.offset())));
        }
        session.send(Codec.typed("confirm_history", quoted));
    }

    /** What the subscriber missed, empty when the broker no longer has it, null for a request without a position. */
    private Optional<List<StreamMessage>> missed(JsonObject request, String stream, long since, JsonObject position,
                                                 Subscription subscription) {
        Optional<List<StreamMessage>> missed;
        if (position != null) {
            String epoch = position.get("epoch") instanceof JsonString e ? e.getString() : "";
            long offset = position.get("offset") instanceof JsonNumber o ? o.longValue() : -1;
            missed = broker.historyFrom(stream, epoch, offset, subscription.position());
        } else if (since > 0) {
            missed = Optional.of(broker.historySince(stream, since, subscription.position()));
        } else if (request.get("streams") instanceof JsonObject) {
            missed = Optional.of(List.of()); // positions for other streams only: nothing of ours is missing
        } else {
            missed = null;
        }
        return missed;
    }

    /**
     * Delivers {@code data} as it is to every other subscriber of the stream, on every node, through the broker (whose
     * listener fans it out off this thread); never stored. While the stream's fan-outs on this node are
     * {@link DeliveryPool#MAX_QUEUED} behind, it is dropped and its sender told
     * {@code {"type":"whisper_rejected","identifier":…,"reason":"overloaded"}}.
     */
    void whisper(CableSession session, Command command, Subscription subscription) {
        if (subscription == null) {
            BadFrames.report(session, "whisper for unknown identifier");
        } else if (!subscription.spec().whisper()) {
            BadFrames.report(session, "whisper is not enabled for " + subscription.identifier());
        } else if (command.data() == null) {
            BadFrames.report(session, "whisper without data");
        } else if (!accepts.test(subscription.spec().stream())) {
            droppedWhispers.dropped(() -> "a whisper of session " + session.sid() + " to stream "
                    + subscription.spec().stream() + " was refused: its fan-outs are " + DeliveryPool.MAX_QUEUED
                    + " behind");
            session.send(Codec.rejected("whisper_rejected", subscription.quotedIdentifier(), "overloaded"));
        } else {
            // through the broker, so that the subscribers on every node get it
            broker.whisper(new Publication(subscription.spec().stream(), JsonText.safe(command.data().toString()),
                    session.sid()));
        }
    }
}
