package dev.jcable.api;

import dev.jcable.node.Node;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * {@code GET /api/health}: 200 once the node is up, without a key, for load balancers and start-up scripts.
 * (AnyCable serves {@code /health}; on Payara that path belongs to MicroProfile Health, so jcable's lives under
 * {@code /api}.)
 */
@RequestScoped
@Path("health")
public class HealthResource {

    @Inject
    Node node;

    /** 200 {@code {"status":"ok",…}}; 503 {@code {"status":"broker_down",…}} while the broker's Redis is unreachable. */
    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response health() {
        boolean up = node.brokerHealthy();
        return Response.status(up ? 200 : 503)
                .entity("{\"status\":\"" + (up ? "ok" : "broker_down") + "\",\"connections\":" + node.connections()
                        + "}")
                .build();
    }

}
