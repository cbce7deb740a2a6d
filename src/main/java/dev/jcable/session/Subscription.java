package dev.jcable.session;

import dev.jcable.protocol.JsonText;
import dev.jcable.streams.StreamSpec;

/**
 * One confirmed subscription of a session.
 *
 * @param identifier       the identifier exactly as the client sent it
 * @param spec             the stream it reads and what it may do there; a Java channel's subscription that streams
 *                         from nothing (yet) has a null stream
 * @param position         the stream's offset when the subscriber was attached: later offsets arrive live, so
 *                         history served to this subscription stops here
 * @param channel          the name of the application's channel ({@code @CableChannel}) it belongs to, or null for
 *                         jcable's own stream channels
 */
public record Subscription(String identifier, StreamSpec spec, long position, String channel) {

    public Subscription(String identifier, StreamSpec spec, String channel) {
        this(identifier, spec, 0, channel);
    }

    public Subscription(String identifier, StreamSpec spec) {
        this(identifier, spec, null);
    }

    /**
     * The identifier as a JSON string literal, encoded at each call: only frames to this one connection use it (a
     * confirmation, a rejection, a channel's transmit); a broadcast's frame is built once per stream by the hub. Not
     * kept: it would be a second copy of the identifier for every subscription (issue 26: memory per connection).
     */
    public String quotedIdentifier() {
        return JsonText.quote(identifier);
    }

    public Subscription at(long attachedAt) {
        return new Subscription(identifier, spec, attachedAt, channel);
    }

    /** The same subscription reading {@code spec} (a channel that starts streaming in an action). */
    public Subscription with(StreamSpec newSpec) {
        return new Subscription(identifier, newSpec, position, channel);
    }

    /**
     * The key under which this subscription's presence events wait ({@link CableSession#hold}) while a {@code presence}
     * request of it is answered: its reply is the member set at one moment, and an event published after that moment
     * must reach the client after it (the official client ignores events until it has the set, then keeps the set
     * plus the events). Apart from its messages' hold, which waits for history.
     */
    public static String presenceHold(String identifier) {
        return "presence\u0000" + identifier;
    }
}
