package dev.jcable.http;

import dev.jcable.config.CableConfig;
import dev.jcable.identity.AllowedOrigins;
import dev.jcable.sse.SseRoom;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.logging.Logger;

/**
 * Server-sent events at {@code sse_path} (docs/sse.md), an asynchronous servlet: the request goes to the
 * {@link SseRoom}, which answers it later from the connection's lane; this thread never waits.
 *
 * <p>CORS as anycable-go's {@code /events} does it, so that a page of another origin can open an {@code EventSource}:
 * with {@code allowed_origins} unset every origin may read ({@code Access-Control-Allow-Origin: *}, which a browser
 * never pairs with cookies); with it set, a listed origin is echoed with {@code Access-Control-Allow-Credentials}, and
 * any other is refused with 403 before a connection exists (anycable-go serves it without the header, and the
 * browser hides the answer: the same for the page, but it costs the server a connection).
 */
public class SseServlet extends HttpServlet {

    private static final Logger LOG = Logger.getLogger(SseServlet.class.getName());
    /** How long a browser may keep a preflight's answer (seconds). */
    static final String PREFLIGHT_MAX_AGE = "600";

    private final SseRoom room;
    private final CableConfig config;

    SseServlet(SseRoom room, CableConfig config) {
        this.room = room;
        this.config = config;
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (config.sse()) {
            String origin = request.getHeader("Origin");
            if (!AllowedOrigins.allows(config.allowedOrigins(), origin)) {
                LOG.fine(() -> "jcable: refused an event stream for origin " + origin);
                ApiError.write(response, 403, "forbidden_origin",
                        "pages of origin " + origin + " may not read events here (allowed_origins)");
                return;
            }
            cors(config.allowedOrigins(), origin, response);
            if ("OPTIONS".equals(request.getMethod())) { // a preflight: fetch() with headers of its own
                response.setHeader("Access-Control-Allow-Methods", "GET, OPTIONS");
                String asked = request.getHeader("Access-Control-Request-Headers");
                if (asked != null) {
                    response.setHeader("Access-Control-Allow-Headers", asked); // the origin may read: any header
                }
                response.setHeader("Access-Control-Max-Age", PREFLIGHT_MAX_AGE);
                response.setStatus(204);
                return;
            }
        }
        SseRoom.Refusal refusal = room.open(request, response);
        if (refusal != null) {
            ApiError.write(response, refusal.status(), refusal.code(), refusal.message());
        }
    }

    /** The CORS headers of an allowed {@code origin} (none without one: not a browser's cross-origin request). */
    static void cors(List<String> allowedOrigins, String origin, HttpServletResponse response) {
        if (origin == null) {
            return;
        }
        if (allowedOrigins.isEmpty()) {
            response.setHeader("Access-Control-Allow-Origin", "*");
            return;
        }
        response.setHeader("Access-Control-Allow-Origin", origin);
        response.setHeader("Access-Control-Allow-Credentials", "true");
        response.setHeader("Vary", "Origin");
    }

    /**
     * The application is going down (servlets are destroyed before any context listener runs): every event stream is
     * told {@code server_restart} and its request completed, so that nothing of it stays in flight in the container.
     */
    @Override
    public void destroy() {
        room.stop();
    }
}
