package dev.jcable.api;

import jakarta.json.JsonObject;
import java.util.Optional;

/**
 * Identifies a connection from its handshake, as Action Cable's {@code connect}: implement it in one CDI bean
 * (e.g. {@code @ApplicationScoped}) and jcable calls it for every new connection, after a presented JWT was
 * verified (a bad or expired token, or none with {@code enforce_jwt}, is refused before this is called).
 * <pre>{@code
 * @ApplicationScoped
 * public class Identify implements ConnectionIdentifier {
 *     @Inject Sessions sessions;
 *     public Optional<JsonObject> identify(ConnectionRequest request) {
 *         return sessions.user(request.cookie("session"))
 *                 .map(user -> Json.createObjectBuilder().add("user_id", user.id()).build());
 *     }
 * }
 * }</pre>
 * An empty result refuses the connection: {@code {"type":"disconnect","reason":"unauthorized","reconnect":false}},
 * then close 1000. An exception is logged and the socket is closed with 1011 {@code Auth Error} and no frame, as
 * anycable-go does when its authentication RPC fails. It runs on the container's WebSocket thread of that connection,
 * inside a CDI request context.
 */
@FunctionalInterface
public interface ConnectionIdentifier {

    /** @return the connection's identifiers (seen by channels as {@link ChannelContext#identifiers()}), or empty */
    Optional<JsonObject> identify(ConnectionRequest request);
}
