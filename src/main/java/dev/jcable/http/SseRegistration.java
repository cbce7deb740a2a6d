package dev.jcable.http;

import dev.jcable.config.CableConfig;
import dev.jcable.sse.SseRoom;
import jakarta.inject.Inject;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.annotation.WebListener;

/**
 * Maps the server-sent events servlet at {@code sse_path} (configuration, so not an annotation). It is mapped even
 * when {@code sse} is off, to answer 404 with a JSON body as the rest of jcable's HTTP does.
 */
@WebListener
public class SseRegistration implements ServletContextListener {

    @Inject
    CableConfig config;

    @Inject
    SseRoom room;

    @Override
    public void contextInitialized(ServletContextEvent event) {
        ServletRegistration.Dynamic servlet = event.getServletContext().addServlet("jcable-sse",
                new SseServlet(room, config));
        servlet.setAsyncSupported(true);
        servlet.addMapping(config.ssePath());
    }
}
