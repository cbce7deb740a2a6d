package dev.jcable.http;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import java.util.Set;

/** {@code /api}: AnyCable's REST API (presence) and jcable's health check. */
@ApplicationPath("/api")
public class ApiApplication extends Application {

    @Override
    public Set<Class<?>> getClasses() {
        return Set.of(PresenceResource.class, HealthResource.class, ErrorMapper.class,
                UnexpectedErrorMapper.class, BrokerUnavailableMapper.class);
    }
}
