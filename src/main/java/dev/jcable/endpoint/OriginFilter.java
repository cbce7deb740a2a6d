package dev.jcable.endpoint;

import dev.jcable.config.CableConfig;
import dev.jcable.http.ApiError;
import dev.jcable.identity.AllowedOrigins;
import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.logging.Logger;

/**
 * Refuses a {@code /cable} handshake from a page of another origin with 403 and a JSON body, when
 * {@code allowed_origins} lists the origins that may connect (by default it does not: every origin may). It stops
 * cross-site WebSocket hijacking: a page elsewhere that opens a socket with the visitor's cookies.
 */
@WebFilter(urlPatterns = {"/cable", "/app/*"}, asyncSupported = true)
public class OriginFilter extends HttpFilter {

    private static final Logger LOG = Logger.getLogger(OriginFilter.class.getName());

    @Inject
    CableConfig config;

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        String origin = request.getHeader("Origin");
        if (!AllowedOrigins.allows(config.allowedOrigins(), origin)) {
            LOG.fine(() -> "jcable: refused a handshake from origin " + origin);
            response.setStatus(HttpServletResponse.SC_FORBIDDEN);
            response.setContentType("application/json");
            response.setCharacterEncoding("UTF-8");
            response.getWriter().write(ApiError.body("forbidden_origin",
                    "pages of origin " + origin + " may not connect here (allowed_origins)"));
            return;
        }
        chain.doFilter(request, response);
    }
}
