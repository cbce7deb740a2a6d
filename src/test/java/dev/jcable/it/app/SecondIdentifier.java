package dev.jcable.it.app;

import dev.jcable.api.ConnectionIdentifier;
import dev.jcable.api.ConnectionRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.json.JsonObject;
import java.util.Optional;

/** A second connection identifier beside {@link TestIdentifier}: an application jcable refuses to start with. */
@ApplicationScoped
public class SecondIdentifier implements ConnectionIdentifier {

    @Override
    public Optional<JsonObject> identify(ConnectionRequest request) {
        return Optional.empty();
    }
}
