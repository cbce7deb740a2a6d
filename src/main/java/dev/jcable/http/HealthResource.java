package dev.jcable.http;

import dev.jcable.node.Node;
import dev.jcable.node.Readiness;
import dev.jcable.protocol.JsonText;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * Health checks without a key, for load balancers, orchestrators and start-up scripts. (AnyCable serves
 * {@code /health}; on Payara that path belongs to MicroProfile Health, so jcable's live under {@code /api}.)
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

    /**
     * Readiness: 200 {@code {"status":"ready"}} while this node should get traffic; 503 with the status
     * ({@code draining}, {@code broker_down}) and a reason while it should not. Take a node out of rotation on it.
     */
    @GET
    @Path("ready")
    @Produces(MediaType.APPLICATION_JSON)
    public Response ready() {
        Answer answer = readiness(node);
        return Response.status(answer.status()).entity(answer.body()).build();
    }

    /**
     * Liveness: 200 {@code {"status":"alive"}} whenever the application answers at all, draining or with its broker
     * down (restarting the process would not bring Redis back, and would cut off every client). Restart on it.
     */
    @GET
    @Path("live")
    @Produces(MediaType.APPLICATION_JSON)
    public Response live() {
        return Response.ok(LIVE).build();
    }

    static final String LIVE = "{\"status\":\"alive\"}";

    /** An HTTP status and JSON body, built without the JAX-RS runtime (so unit tests can check them). */
    record Answer(int status, String body) {
    }

    static Answer readiness(Node node) {
        Readiness readiness = node.readiness();
        return new Answer(readiness.ready() ? 200 : 503, "{\"status\":" + JsonText.quote(readiness.status())
                + (readiness.reason() == null ? "" : ",\"reason\":" + JsonText.quote(readiness.reason()))
                + ",\"connections\":" + node.connections() + "}");
    }
}
