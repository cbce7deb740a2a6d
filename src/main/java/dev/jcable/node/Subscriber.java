package dev.jcable.node;

import dev.jcable.api.ChannelContext;
import dev.jcable.protocol.Codec;
import dev.jcable.protocol.JsonText;
import dev.jcable.session.CableSession;
import dev.jcable.session.Subscription;
import dev.jcable.streams.StreamSpec;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@link ChannelContext} of one call into a channel. While {@code subscribed} runs, what it asks for is collected
 * and carried out once the subscription is confirmed (or dropped when it rejects); in an action it happens at once.
 * Runs on the connection's lane ({@link dev.jcable.session.Lane}), during the channel method it was passed to only:
 * once that method returned, every call throws {@link IllegalStateException} (a context kept for later would act
 * beside the connection's own commands, or after its close).
 */
final class Subscriber implements ChannelContext {

    private final ChannelCommands commands;
    private final CableSession session;
    private final JsonObject params;
    private Subscription subscription;
    private boolean subscribing;
    private boolean rejected;
    private final List<String> transmissions = new ArrayList<>();
    private String joinId;
    private String joinInfo;
    private volatile boolean ended; // the channel method this context was passed to has returned

    Subscriber(ChannelCommands commands, CableSession session, Subscription subscription, JsonObject params) {
        this.commands = commands;
        this.session = session;
        this.subscription = subscription;
        this.params = params;
        this.subscribing = true;
    }

    static Subscriber active(ChannelCommands commands, CableSession session, Subscription subscription,
                             JsonObject params) {
        Subscriber subscriber = new Subscriber(commands, session, subscription, params);
        subscriber.subscribing = false;
        return subscriber;
    }

    /** The channel method returned: the context is no longer valid for the application. */
    void end() {
        ended = true;
    }

    private void requireActive() {
        if (ended) {
            throw new IllegalStateException("jcable: this ChannelContext of subscription " + subscription.identifier()
                    + " was used after its channel method returned; a context is valid only during the method it is"
                    + " passed to (which runs on the connection's lane)");
        }
    }

    @Override
    public JsonObject params() {
        requireActive();
        return params;
    }

    @Override
    public JsonObject identifiers() {
        requireActive();
        String text = session.identifiers();
        if (text == null) {
            return JsonValue.EMPTY_JSON_OBJECT;
        }
        try {
            JsonValue value = JsonText.parse(text);
            return value.getValueType() == JsonValue.ValueType.OBJECT ? value.asJsonObject()
                    : JsonValue.EMPTY_JSON_OBJECT;
        } catch (JsonException e) {
            return JsonValue.EMPTY_JSON_OBJECT;
        }
    }

    @Override
    public String sid() {
        requireActive();
        return session.sid();
    }

    @Override
    public String connectionParameter(String name) {
        requireActive();
        Map<String, List<String>> query;
        try {
            query = session.parameters();
        } catch (RuntimeException e) {
            return null; // some containers refuse once the socket is closed (unsubscribed after a disconnect)
        }
        List<String> values = query == null ? null : query.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    @Override
    public void streamFrom(String stream) {
        requireActive();
        if (stream == null || stream.isEmpty()) {
            throw new IllegalArgumentException("a stream name is required");
        }
        String current = subscription.spec().stream();
        if (stream.equals(current)) {
            return;
        }
        if (current != null) {
            throw new IllegalStateException("subscription " + subscription.identifier() + " already streams from '"
                    + current + "'; a subscription streams from one stream");
        }
        subscription = subscribing ? subscription.with(new StreamSpec(stream, true, false))
                : commands.stream(session, subscription, stream);
    }

    @Override
    public void streamFor(Object key) {
        requireActive();
        streamFrom(ChannelContext.streamName(subscription.channel(), key));
    }

    @Override
    public void joinPresence(String id, String infoJson) {
        requireActive();
        if (subscription.spec().stream() == null) {
            throw new IllegalStateException("joinPresence before streamFrom: presence belongs to a stream");
        }
        if (infoJson != null && !JsonText.isJsonValue(infoJson)) {
            // written into every subscriber's frame as it is: text that is not JSON would break each of them
            throw new IllegalArgumentException("joinPresence: infoJson must be JSON text (an object, array, string,"
                    + " number, true, false or null), or null for none; got '" + abbreviated(infoJson)
                    + "' (quote a string: " + JsonText.quote(JsonText.quote(abbreviated(infoJson))) + ")");
        }
        if (subscribing) {
            joinId = id;
            joinInfo = infoJson;
        } else {
            commands.join(session, subscription, id, infoJson);
        }
    }

    private static String abbreviated(String text) {
        return text.length() <= 64 ? text : text.substring(0, 64) + "…";
    }

    @Override
    public void leavePresence() {
        requireActive();
        if (subscribing) {
            joinId = null;
        } else if (subscription.spec().stream() != null) {
            commands.leave(session, subscription);
        }
    }

    @Override
    public void transmit(String data) {
        requireActive();
        String frame = Codec.message(subscription.quotedIdentifier(), JsonText.messageValue(data));
        if (subscribing) {
            transmissions.add(frame);
        } else {
            session.send(frame);
        }
    }

    @Override
    public void reject() {
        requireActive();
        if (!subscribing) {
            throw new IllegalStateException("reject() is for subscribed(): the subscription is confirmed already");
        }
        rejected = true;
    }

    boolean rejected() {
        return rejected;
    }

    /** The subscription as {@code subscribed} left it (its stream, if it chose one). */
    Subscription subscription() {
        return subscription;
    }

    /** The subscription is confirmed: what {@code subscribed} transmitted goes out, when {@code transmit}. */
    void confirmed(Subscription attached, boolean transmit) {
        subscription = attached;
        subscribing = false;
        if (transmit) {
            transmissions.forEach(session::send);
        }
        transmissions.clear();
    }

    /** Then its presence join, if it asked for one. */
    void joinRequested() {
        if (joinId != null) {
            commands.join(session, subscription, joinId, joinInfo);
        }
    }
}
