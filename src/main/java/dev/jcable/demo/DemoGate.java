package dev.jcable.demo;

import dev.jcable.config.CableConfig;
import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Serves the demo (the page at {@code /} and its assets under {@code /demo/}; its channel is {@link RoomChannel})
 * only when the {@code demo} option is on; otherwise they answer 404, so a production deployment shows nothing of
 * it. Mapped to the demo's paths only: {@code /cable}, {@code /_broadcast} and {@code /api} never pass through here.
 */
@WebFilter(filterName = "jcable-demo-gate", urlPatterns = {"/", "/index.html", "/demo/*"})
public class DemoGate extends HttpFilter {

    @Inject
    CableConfig config;

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (config.demo()) {
            chain.doFilter(request, response);
            return;
        }
        response.setStatus(HttpServletResponse.SC_NOT_FOUND);
        response.setCharacterEncoding("UTF-8");
        response.setContentType("text/plain");
        response.getWriter().write("Not Found\n");
    }
}
