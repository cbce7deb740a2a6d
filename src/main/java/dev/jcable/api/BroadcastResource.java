package dev.jcable.api;

import dev.jcable.broker.BrokerUnavailableException;
import dev.jcable.config.CableConfig;
import dev.jcable.metrics.Counter;
import dev.jcable.node.Node;
import dev.jcable.node.Overloaded;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.HeaderParam;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * {@code POST /_broadcast}: AnyCable's HTTP broadcast. 201 when every publication was accepted (in order): stored
 * and queued for delivery, which runs off this thread; 401 without the right Bearer key; 400 for a body that is not
 * JSON; 422 for JSON of the wrong shape; 413 for a publication whose data is larger than {@code max_broadcast_size},
 * or a body larger than {@link #BODY_FACTOR} times that (read no further); 503 when a stream's deliveries are too
 * far behind (the publications before it were published). A batch with a too-large publication publishes nothing.
 */
@RequestScoped
@Path("")
public class BroadcastResource {

    /** The body may hold this many largest broadcasts' worth of bytes: a batch, and room for JSON escaping. */
    static final int BODY_FACTOR = 8;

    @Inject
    Node node;

    @Inject
    CableConfig config;

    @POST
    public Response broadcast(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, InputStream body)
            throws IOException {
        if (!config.broadcastAdapters().contains("http")) {
            return ApiError.response(404, "not_found", "the http broadcast adapter is off (broadcast_adapter)");
        }
        Bearer.require(authorization, config.broadcastKey());
        long limit = (long) BODY_FACTOR * config.maxBroadcastSize();
        byte[] bytes = body.readNBytes((int) Math.min(limit + 1, Integer.MAX_VALUE - 8));
        if (bytes.length > limit) {
            return ApiError.response(413, "body_too_large", "the body is larger than " + limit
                    + " bytes (" + BODY_FACTOR + " × max_broadcast_size)");
        }
        List<Publication> publications;
        try {
            publications = PublicationParser.parse(new String(bytes, StandardCharsets.UTF_8));
        } catch (PublicationParser.InvalidBody e) {
            Counter.FAILED_BROADCAST_MSG.increment();
            return ApiError.response(e.status(), e.status() == 400 ? "invalid_json" : "invalid_publication",
                    e.getMessage());
        }
        for (int i = 0; i < publications.size(); i++) {
            try {
                node.requirePublishable(publications.get(i));
            } catch (IllegalArgumentException e) {
                return ApiError.response(413, "broadcast_too_large",
                        (publications.size() > 1 ? "[" + i + "]" : "") + e.getMessage());
            }
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
