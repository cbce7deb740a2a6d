package dev.jcable.http;

import dev.jcable.metrics.CableMetrics;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * {@code GET <metrics_http>}: every metric in the Prometheus text format. With a {@code metrics_key} a scrape must
 * carry {@code Authorization: Bearer <key>} (Prometheus' {@code authorization} setting); without one, or a wrong
 * one, it gets 401 and a JSON body, like the rest of the API. Registered by {@link MetricsRegistration}.
 */
public class MetricsServlet extends HttpServlet {

    private final String key;

    /** @param key the Bearer key, or null when none is required */
    public MetricsServlet(String key) {
        this.key = key;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String authorization = request.getHeader("Authorization");
        if (!Bearer.matches(authorization, key)) {
            ApiError.write(response, 401, "unauthorized", Bearer.refusal(authorization));
            return;
        }
        response.setCharacterEncoding("UTF-8");
        response.setContentType(CableMetrics.CONTENT_TYPE);
        response.setHeader("Cache-Control", "no-store");
        response.getWriter().write(CableMetrics.scrape());
    }
}
