package dev.jcable.api;

import dev.jcable.broker.BrokerUnavailableException;
import dev.jcable.config.CableConfig;
import dev.jcable.node.Node;
import dev.jcable.node.Overloaded;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.HeaderParam;
import java.util.List;

/**
 * {@code POST /_broadcast}: AnyCable's HTTP broadcast. 201 when every publication was accepted (in order): stored
 * and queued for delivery, which runs off this thread; 401 without the right Bearer key; 400 for a body that is not
 * JSON; 422 for JSON of the wrong shape; 503 when a stream's deliveries are too far behind.
 */
@RequestScoped
@Path("")
public class BroadcastResource {

    @Inject
    Node node;

    @Inject
    CableConfig config;

    @POST
    public Response broadcast(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, String body) {
        if (!config.broadcastAdapters().contains("http")) {
            return ApiError.response(404, "not_found", "the http broadcast adapter is off (broadcast_adapter)");
        }
        Bearer.require(authorization, config.broadcastKey());
        List<Publication> publications;
        try {
            publications = PublicationParser.parse(body);
        } catch (PublicationParser.InvalidBody e) {
            return ApiError.response(e.status(), e.status() == 400 ? "invalid_json" : "invalid_publication",
                    e.getMessage());
        }
        for (int i = 0; i < publications.size(); i++) {
            try {
                node.publish(publications.get(i));
            } catch (Overloaded e) {
                // the ones before it are published, in order; say which, so a retry sends only the rest
                return ApiError.response(503, "overloaded", e.getMessage() + " (publication " + (i + 1) + " of "
                        + publications.size() + "; the ones before it were published)");
            } catch (BrokerUnavailableException e) {
                return Response.fromResponse(ApiError.response(503, "broker_unavailable", e.getMessage()
                        + " (publication " + (i + 1) + " of " + publications.size()
                        + "; the ones before it were published)")).header("Retry-After", "1").build();
            }
        }
        return Response.status(Response.Status.CREATED).build();
    }
}
