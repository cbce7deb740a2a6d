package dev.jcable.http;

import dev.jcable.broker.BrokerUnavailableException;
import dev.jcable.broker.Broadcast;
import dev.jcable.broker.Publication;
import dev.jcable.broker.PublicationParser;
import dev.jcable.config.CableConfig;
import dev.jcable.metrics.Counter;
import dev.jcable.node.Node;
import dev.jcable.node.Overloaded;
import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code POST /_broadcast}: AnyCable's HTTP broadcast. 201 when every publication was accepted (in order): stored
 * and queued for delivery, which runs off this thread; 401 without the right Bearer key; 400 for a body that is not
 * JSON; 422 for JSON of the wrong shape; 413 for a publication whose data is larger than {@code max_broadcast_size},
 * or a body larger than {@link #BODY_FACTOR} times that (read no further); 503 when a stream's deliveries are too
 * far behind or the broker is unreachable (the publications before it were published). A batch with a too-large
 * publication publishes nothing.
 *
 * <p>A servlet, not a JAX-RS resource: this is the publishers' hot path, and on Payara Micro the JAX-RS request
 * path (Jersey's request scope, a request-scoped CDI bean per call, the telemetry listeners) cost more CPU per
 * broadcast than the rest of the request (docs/BENCHMARKS.md, "the HTTP broadcast path").
 */
@WebServlet(urlPatterns = "/_broadcast/*", loadOnStartup = 1)
public class BroadcastServlet extends HttpServlet {

    private static final Logger LOG = Logger.getLogger(BroadcastServlet.class.getName());

    /** The body may hold this many largest broadcasts' worth of bytes: a batch, and room for JSON escaping. */
    static final int BODY_FACTOR = 8;

    @Inject
    Node node;

    @Inject
    CableConfig config;

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        try {
            String below = request.getPathInfo();
            if (below != null && !below.equals("/")) {
                ApiError.write(response, 404, "not_found", "Not Found");
                return;
            }
            if (!"POST".equals(request.getMethod())) {
                response.setHeader("Allow", "POST");
                ApiError.write(response, 405, "method_not_allowed", "Method Not Allowed");
                return;
            }
            broadcast(request, response);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "jcable: an HTTP request failed", e);
            if (!response.isCommitted()) {
                response.reset();
                ApiError.write(response, 500, "internal_error",
                        "the request failed on the server; its log has the cause");
            }
        }
    }

    private void broadcast(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!config.broadcastAdapters().contains("http")) {
            ApiError.write(response, 404, "not_found", "the http broadcast adapter is off (broadcast_adapter)");
            return;
        }
        String authorization = request.getHeader("Authorization");
        if (!Bearer.matches(authorization, config.broadcastKey())) {
            ApiError.write(response, 401, "unauthorized", Bearer.refusal(authorization));
            return;
        }
        long limit = (long) BODY_FACTOR * config.maxBroadcastSize();
        byte[] bytes = request.getInputStream().readNBytes((int) Math.min(limit + 1, Integer.MAX_VALUE - 8));
        if (bytes.length > limit) {
            ApiError.write(response, 413, "body_too_large", "the body is larger than " + limit
                    + " bytes (" + BODY_FACTOR + " × max_broadcast_size)");
            return;
        }
        List<Broadcast> publications;
        try {
            publications = PublicationParser.parse(new String(bytes, StandardCharsets.UTF_8));
        } catch (PublicationParser.InvalidBody e) {
            Counter.FAILED_BROADCAST_MSG.increment();
            ApiError.write(response, e.status(), e.status() == 400 ? "invalid_json" : "invalid_publication",
                    e.getMessage());
            return;
        }
        for (int i = 0; i < publications.size(); i++) {
            try {
                if (publications.get(i) instanceof Publication publication) {
                    node.requirePublishable(publication);
                }
            } catch (IllegalArgumentException e) {
                ApiError.write(response, 413, "broadcast_too_large",
                        (publications.size() > 1 ? "[" + i + "]" : "") + e.getMessage());
                return;
            }
        }
        for (int i = 0; i < publications.size(); i++) {
            String which = " (publication " + (i + 1) + " of " + publications.size()
                    + "; the ones before it were published)";
            try {
                node.broadcast(publications.get(i));
            } catch (Overloaded e) {
                // the ones before it are published, in order; say which, so a retry sends only the rest
                ApiError.write(response, 503, "overloaded", e.getMessage() + which);
                return;
            } catch (BrokerUnavailableException e) {
                LOG.log(Level.FINE, "jcable: answered 503", e);
                response.setHeader("Retry-After", "1");
                ApiError.write(response, 503, "broker_unavailable", e.getMessage() + which);
                return;
            }
        }
        response.setStatus(HttpServletResponse.SC_CREATED);
    }
}
