package dev.jcable.session;

import dev.jcable.protocol.JsonText;
import dev.jcable.streams.StreamSpec;

/**
 * One confirmed subscription of a session.
 *
 * @param identifier       the identifier exactly as the client sent it
 * @param quotedIdentifier the same, as a JSON string literal, encoded once for every frame to it
 * @param spec             the stream it reads and what it may do there
 * @param position         the stream's offset when the subscriber was attached: later offsets arrive live, so
 *                         history served to this subscription stops here
 */
public record Subscription(String identifier, String quotedIdentifier, StreamSpec spec, long position) {

    public Subscription(String identifier, StreamSpec spec) {
        this(identifier, JsonText.quote(identifier), spec, 0);
    }

    public Subscription at(long attachedAt) {
        return new Subscription(identifier, quotedIdentifier, spec, attachedAt);
    }
}
