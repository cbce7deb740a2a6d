package dev.jcable.endpoint;

import dev.jcable.node.Node;
import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Stands in front of the {@code /cable} handshake for one reason: its {@code destroy()} is the earliest portable
 * sign that the application is going down. The Servlet spec destroys filters before any context listener runs, and
 * the servers close WebSockets from their own listeners or later (WildFly's Undertow closes every socket with 1001
 * and no message from a listener it registers after the application's), so draining here tells every connection
 * {@code server_restart} while its socket is still open, on every server.
 *
 * <p>A handshake that arrives while the node drains is refused with 503, so a client that reconnects at once tries
 * again with back-off instead of joining a node that is about to close it.
 */
@WebFilter(urlPatterns = {"/cable", "/app/*"}, asyncSupported = true)
public class DrainFilter extends HttpFilter {

    @Inject
    Node node;

    /** Set by the first handshake. Without one there is nobody to tell, and touching the node would create it. */
    private volatile boolean used;

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        used = true;
        if (node.draining()) {
            response.sendError(HttpServletResponse.SC_SERVICE_UNAVAILABLE, "Server restart");
            return;
        }
        chain.doFilter(request, response);
    }

    @Override
    public void destroy() {
        if (used) {
            node.shutdown(); // else the node's @PreDestroy stops its timers, if a REST call ever created it
        }
    }
}
