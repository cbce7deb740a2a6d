package dev.jcable.node;

import dev.jcable.broker.BrokerUnavailableException;
import dev.jcable.channels.ChannelType;
import dev.jcable.channels.Channels;
import dev.jcable.protocol.Codec;
import dev.jcable.protocol.Command;
import dev.jcable.protocol.JsonText;
import dev.jcable.session.CableSession;
import dev.jcable.session.Subscription;
import dev.jcable.streams.StreamSpec;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code subscribe}, {@code message} and {@code unsubscribe} for the application's channels ({@code @CableChannel}):
 * Action Cable's lifecycle on top of the stream and presence commands. What the application throws is logged once
 * and answered as AnyCable answers a failed RPC call: with nothing; the connection carries on.
 */
final class ChannelCommands {

    private static final Logger LOG = Logger.getLogger(ChannelCommands.class.getName());

    private final Channels channels;
    private final StreamCommands streams;
    private final PresenceCommands presence;

    ChannelCommands(Channels channels, StreamCommands streams, PresenceCommands presence) {
        this.channels = channels;
        this.streams = streams;
        this.presence = presence;
    }

    /** The channel an identifier names, or null for jcable's own channels (and anything that is not JSON). */
    String channelOf(String identifier) {
        if (channels.size() == 0 || identifier == null) {
            return null;
        }
        JsonObject params = params(identifier);
        String name = params != null && params.get("channel") instanceof JsonString s ? s.getString() : null;
        return channels.find(name) == null ? null : name;
    }

    /** Subscribes to an application channel; false when the identifier names none (a stream channel's, then). */
    boolean subscribe(CableSession session, Command command) {
        String name = channelOf(command.identifier());
        if (name == null) {
            return false;
        }
        String quoted = streams.admissible(session, command.identifier());
        if (quoted == null) {
            return true;
        }
        if (!channels.find(name).allowsSubscription(session.roles())) {
            LOG.fine(() -> "jcable: " + name + " refused subscription " + command.identifier() + " of session "
                    + session.sid() + ": the connection lacks the role @RolesAllowed asks for");
            session.send(Codec.typed("reject_subscription", quoted));
            return true;
        }
        Subscriber subscriber = new Subscriber(this, session, new Subscription(command.identifier(),
                new StreamSpec(null, false, false), name), params(command.identifier()));
        if (!call(session, name, subscriber, () -> channels.find(name).subscribed(subscriber))) {
            return true;
        }
        if (subscriber.rejected()) {
            LOG.fine(() -> "jcable: " + name + " rejected subscription " + command.identifier() + " of session "
                    + session.sid());
            session.send(Codec.typed("reject_subscription", quoted));
            return true;
        }
        if (command.history() != null) {
            session.hold(command.identifier());
        }
        Subscription subscription;
        try {
            subscription = streams.attach(session, subscriber.subscription());
        } catch (BrokerUnavailableException e) {
            session.discard(command.identifier());
            session.send(Codec.typed("reject_subscription", quoted));
            return true;
        }
        session.send(Codec.typed("confirm_subscription", quoted));
        subscriber.confirmed(subscription, true); // its transmissions
        if (command.history() != null) {
            streams.history(session, command, subscription);
        }
        subscriber.joinRequested(); // as AnyCable: confirm, history, then presence
        if (command.presence() != null) {
            presence.join(session, command, subscription);
        }
        return true;
    }

    /**
     * A channel subscription came back with a restored session (already attached, no confirmation): its
     * {@code subscribed} runs again so that a presence join it makes holds the member under the new connection (the
     * old one's record would leave after {@code presence_ttl}; the same id joining meanwhile is no event). What it
     * transmits is dropped: the client asks for the history it missed instead. A rejection or an exception is
     * logged and leaves the subscription as it was restored.
     */
    void restored(CableSession session, Subscription subscription) {
        ChannelType channel = channels.find(subscription.channel());
        if (channel == null) {
            return;
        }
        Subscriber subscriber = new Subscriber(this, session, subscription, params(subscription.identifier()));
        if (call(session, subscription.channel(), subscriber, () -> channel.subscribed(subscriber)) && !subscriber.rejected()
                && subscription.spec().equals(subscriber.subscription().spec())) {
            subscriber.confirmed(subscription, false);
            subscriber.joinRequested();
        } else {
            LOG.fine(() -> "jcable: " + subscription.channel() + " did not renew restored subscription "
                    + subscription.identifier() + " of session " + session.sid());
        }
    }

    /** {@code {"command":"message","data":"{\"action\":\"speak\",…}"}}: calls the channel's action of that name. */
    void perform(CableSession session, Command command, Subscription subscription) {
        if (!(command.data() instanceof JsonString text)) {
            BadFrames.report(session, "message data must be a JSON string");
            return;
        }
        JsonObject data = params(text.getString());
        String action = data != null && data.get("action") instanceof JsonString a ? a.getString() : null;
        ChannelType channel = channels.find(subscription.channel());
        if (action == null || !channel.hasAction(action)) {
            BadFrames.report(session, "message without a known action of " + subscription.channel());
            return;
        }
        if (!channel.allowsAction(action, session.roles())) {
            // an error frame for this subscription; the connection and the subscription stay
            session.send("{\"type\":\"error\",\"identifier\":" + JsonText.quote(subscription.identifier())
                    + ",\"reason\":\"forbidden\",\"message\":" + JsonText.quote("action " + action
                    + " of " + subscription.channel() + " needs a role the connection lacks (@RolesAllowed)") + "}");
            return;
        }
        Subscriber subscriber = Subscriber.active(this, session, subscription, params(subscription.identifier()));
        call(session, subscription.channel(), subscriber, () -> channel.perform(action, subscriber, data));
    }

    /** After the client's {@code unsubscribe} (the subscription is gone): the channel's {@code unsubscribed}. */
    void unsubscribed(CableSession session, Subscription subscription) {
        ChannelType channel = channels.find(subscription.channel());
        if (channel != null) {
            Subscriber subscriber = Subscriber.active(this, session, subscription, params(subscription.identifier()));
            call(session, subscription.channel(), subscriber, () -> channel.unsubscribed(subscriber));
        }
    }

    /** The connection closed: {@code unsubscribed} for each of its channel subscriptions. */
    void closed(CableSession session) {
        for (Subscription subscription : session.subscriptions().values()) {
            if (subscription.channel() != null) {
                unsubscribed(session, subscription);
            }
        }
    }

    // ---- what a Subscriber does -----------------------------------------------------------------

    /** Starts streaming a subscription that streamed from nothing (a channel's action called streamFrom). */
    Subscription stream(CableSession session, Subscription subscription, String stream) {
        Subscription streaming = subscription.with(new StreamSpec(stream, true, false));
        session.subscriptions().remove(subscription.identifier(), subscription);
        return streams.attach(session, streaming);
    }

    void join(CableSession session, Subscription subscription, String id, String info) {
        presence.join(session, subscription, id, info == null ? null : JsonText.safe(info));
    }

    void leave(CableSession session, Subscription subscription) {
        presence.leave(session, subscription);
    }

    /**
     * Runs application code on the connection's lane; false (after logging it) when it threw. {@code context} is
     * valid only until the code returns: kept and used later, it throws.
     */
    private static boolean call(CableSession session, String channel, Subscriber context, Runnable code) {
        try {
            code.run();
            return true;
        } catch (RuntimeException e) {
            Throwable cause = e instanceof ChannelType.ChannelException && e.getCause() != null ? e.getCause() : e;
            LOG.log(Level.WARNING, "jcable: " + e.getMessage() + " for session " + session.sid()
                    + "; the client gets no answer", cause);
            return false;
        } finally {
            context.end();
        }
    }

    static JsonObject params(String json) {
        try {
            JsonValue value = JsonText.parse(json);
            return value.getValueType() == JsonValue.ValueType.OBJECT ? value.asJsonObject() : null;
        } catch (JsonException e) {
            return null;
        }
    }
}
