package dev.jcable.http;

import dev.jcable.config.CableConfig;
import jakarta.inject.Inject;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;
import java.util.logging.Logger;

/**
 * Serves the metrics at {@code metrics_http} (AnyCable's option, a path; {@code none}: not served). The path is
 * configuration, so the servlet is added here at start-up rather than by an annotation.
 */
@WebListener
public class MetricsRegistration implements ServletContextListener {

    private static final Logger LOG = Logger.getLogger(MetricsRegistration.class.getName());

    @Inject
    CableConfig config;

    @Override
    public void contextInitialized(ServletContextEvent event) {
        String path = config.metricsHttp();
        if (path.isEmpty()) {
            LOG.info("jcable: Prometheus metrics are not served (metrics_http=none)");
            return;
        }
        event.getServletContext().addServlet("jcable-metrics", new MetricsServlet(config.metricsKey()))
                .addMapping(path);
        LOG.info(() -> "jcable: Prometheus metrics at " + event.getServletContext().getContextPath() + path
                + (config.metricsKey() == null ? " (no key)" : " (Bearer key required)"));
    }
}
