package dev.jcable.http;

import dev.jcable.config.CableConfig;
import dev.jcable.pusher.PusherApi;
import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Pusher's HTTP API at {@code /apps/*} (docs/pusher.md): reads the request and writes the {@link PusherApi}'s answer.
 * The body is read up to {@link BroadcastServlet#BODY_FACTOR} × {@code max_broadcast_size} bytes (413 beyond); the
 * query is parsed here, not by the container, so that it is the one that was signed.
 */
@WebServlet(urlPatterns = "/apps/*")
public class PusherApiServlet extends HttpServlet {

    private static final Logger LOG = Logger.getLogger(PusherApiServlet.class.getName());

    @Inject
    PusherApi api;

    @Inject
    CableConfig config;

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        try {
            if (!api.enabled()) {
                ApiError.write(response, 404, "not_found", "Pusher mode is off (pusher_app_key, pusher_secret)");
                return;
            }
            long limit = (long) BroadcastServlet.BODY_FACTOR * config.maxBroadcastSize();
            byte[] body = request.getInputStream().readNBytes((int) Math.min(limit + 1, Integer.MAX_VALUE - 8));
            if (body.length > limit) {
                ApiError.write(response, 413, "body_too_large", "the body is larger than " + limit + " bytes ("
                        + BroadcastServlet.BODY_FACTOR + " × max_broadcast_size)");
                return;
            }
            String below = request.getPathInfo() == null ? "" : request.getPathInfo().substring(1);
            PusherApi.Answer answer = api.handle(request.getMethod(), request.getRequestURI(), below,
                    query(request.getQueryString()), body);
            response.setStatus(answer.status());
            if (answer.status() == 401) {
                response.setHeader("WWW-Authenticate", "Pusher");
            }
            response.setContentType("application/json");
            response.setCharacterEncoding("UTF-8");
            response.getWriter().write(answer.body());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "jcable: a Pusher API request failed", e);
            if (!response.isCommitted()) {
                response.reset();
                ApiError.write(response, 500, "internal_error",
                        "the request failed on the server; its log has the cause");
            }
        }
    }

    /** The query's parameters, decoded; a repeated one keeps its first value. */
    static Map<String, String> query(String query) {
        Map<String, String> params = new HashMap<>();
        if (query == null || query.isEmpty()) {
            return params;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.putIfAbsent(name, value);
        }
        return params;
    }
}
