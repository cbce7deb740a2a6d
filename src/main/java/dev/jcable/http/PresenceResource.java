package dev.jcable.http;

import dev.jcable.config.CableConfig;
import dev.jcable.node.Node;
import dev.jcable.protocol.Codec;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

/**
 * {@code GET /api/presence/{stream}/users}: who is online in a stream, as {@code {"type":"info","total":N,
 * "records":[…]}}. The stream may contain {@code /} (send it URL-encoded: {@code chat%2F1}); the pattern takes
 * it whether or not the server decodes the slash before routing. {@code GET /api/presence/{stream}/count}: how many,
 * without the list, as {@code {"type":"count","total":N}}.
 */
@RequestScoped
@Path("presence")
public class PresenceResource {

    @Inject
    Node node;

    @Inject
    CableConfig config;

    @GET
    @Path("{stream: .+}/users")
    @Produces(MediaType.APPLICATION_JSON)
    public String users(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                        @PathParam("stream") String stream) {
        Bearer.require(authorization, config.apiSecret());
        return Codec.presenceInfo(node.presenceInfo(stream), true, Long.MAX_VALUE); // HTTP: every record
    }

    @GET
    @Path("{stream: .+}/count")
    @Produces(MediaType.APPLICATION_JSON)
    public String count(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                        @PathParam("stream") String stream) {
        Bearer.require(authorization, config.apiSecret());
        return "{\"type\":\"count\",\"total\":" + node.presenceCount(stream) + "}";
    }
}
