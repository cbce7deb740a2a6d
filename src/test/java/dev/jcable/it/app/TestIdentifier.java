package dev.jcable.it.app;

import dev.jcable.api.ConnectionIdentifier;
import dev.jcable.api.ConnectionRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.util.Optional;

/**
 * Identifies test connections: {@code ?user=<name>} (or a token's {@code user}) is the identity; {@code refused}
 * is refused, {@code crash} throws; no user is {@code anonymous}.
 */
@ApplicationScoped
public class TestIdentifier implements ConnectionIdentifier {

    @Override
    public Optional<JsonObject> identify(ConnectionRequest request) {
        String user = request.claims().map(claims -> claims.getString("user", null)).orElse(request.parameter("user"));
        if ("refused".equals(user)) {
            return Optional.empty();
        }
        if ("crash".equals(user)) {
            throw new IllegalStateException("the identifier throws (on purpose, for the test)");
        }
        return Optional.of(Json.createObjectBuilder().add("user", user == null ? "anonymous" : user).build());
    }
}
