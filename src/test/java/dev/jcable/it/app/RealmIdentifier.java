package dev.jcable.it.app;

import dev.jcable.api.ConnectionIdentifier;
import dev.jcable.api.ConnectionRequest;
import jakarta.annotation.security.DeclareRoles;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.util.Optional;

/**
 * Identifies connections by the container's login only (RealmIT): the handshake's user, whether it has the roles
 * the test names ({@code guest} only through {@code @DeclareRoles} here, the others through {@link RealmChannel}),
 * and the HTTP session's {@code cart} when the handshake carried a session ({@link RealmSession}). No login: refused.
 */
@ApplicationScoped
@DeclareRoles("guest")
public class RealmIdentifier implements ConnectionIdentifier {

    @Override
    public Optional<JsonObject> identify(ConnectionRequest request) {
        return request.principal().map(user -> {
            JsonObjectBuilder ids = Json.createObjectBuilder().add("user", user.getName())
                    .add("admin", request.isUserInRole("admin"))
                    .add("member", request.isUserInRole("member"))
                    .add("guest", request.isUserInRole("guest"));
            Object cart = request.sessionAttribute("cart");
            if (cart != null) {
                ids.add("cart", cart.toString());
            }
            return ids.build();
        });
    }
}
