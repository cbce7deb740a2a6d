package dev.jcable.http;

import dev.jcable.node.Node;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/**
 * {@link HealthResource}'s readiness and liveness through MicroProfile Health, on the servers that carry it (Payara's
 * {@code /health/ready} and {@code /health/live}, Liberty's with {@code mpHealth}, WildFly's with its
 * {@code microprofile-health-smallrye} subsystem): one check named {@code jcable} each, its data the same status,
 * reason and connections as {@code /api/health/ready}'s body, from {@link Node#readiness()}.
 *
 * <p>The API is the server's (compiled against, never packaged). Where it is missing (WildFly's default
 * {@code standalone.xml}, Liberty without {@code mpHealth}) an exclusion in {@code WEB-INF/beans.xml}
 * ({@code if-class-not-available}) keeps CDI from loading this class at all, and {@code ClassPreloader} skips it
 * by the same condition: nothing is logged, the rest of the WAR is discovered as before. (Without the exclusion CDI
 * would skip the class too, but only after a failed class definition, which WildFly logs with its stack trace. A CDI
 * extension registering the checks instead stops Payara Micro from treating the WAR as an implicit bean archive.)
 * The liveness check is a producer here rather than a class of its own so that one class carries the condition.
 */
@ApplicationScoped
@Readiness
public class HealthChecks implements HealthCheck {

    static final String NAME = "jcable";

    @Inject
    Node node;

    /** UP while this node should get traffic; DOWN with the status ({@code draining}, {@code broker_down}) and reason. */
    @Override
    public HealthCheckResponse call() {
        dev.jcable.node.Readiness readiness = node.readiness();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("status", readiness.status());
        if (readiness.reason() != null) {
            data.put("reason", readiness.reason());
        }
        data.put("connections", (long) node.connections());
        return new HealthCheckResponse(NAME, readiness.ready() ? HealthCheckResponse.Status.UP
                : HealthCheckResponse.Status.DOWN, Optional.of(data));
    }

    /** UP whenever the application answers, as {@code /api/health/live}: a restart would bring back neither Redis nor a drained node. */
    @Produces
    @Liveness
    HealthCheck liveness() {
        return () -> LIVE;
    }

    static final HealthCheckResponse LIVE = new HealthCheckResponse(NAME, HealthCheckResponse.Status.UP,
            Optional.of(Map.of("status", "alive")));
}
