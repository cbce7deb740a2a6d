package dev.jcable.api;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import java.util.Set;

/** {@code /_broadcast}. Separate applications keep JAX-RS off every other path (the WebSocket, static files). */
@ApplicationPath("/_broadcast")
public class BroadcastApplication extends Application {

    @Override
    public Set<Class<?>> getClasses() {
        return Set.of(BroadcastResource.class, ErrorMapper.class, UnexpectedErrorMapper.class,
                BrokerUnavailableMapper.class);
    }
}
