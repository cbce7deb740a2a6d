package dev.jcable.endpoint;

import dev.jcable.node.Node;
import jakarta.inject.Inject;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;

/**
 * On undeploy or shutdown, tells every connection {@code server_restart} while the sockets are still open:
 * servers close WebSockets at different points of an undeploy (Undertow before CDI beans are destroyed), and the
 * servlet context's end comes before all of them.
 */
@WebListener
public class ShutdownListener implements ServletContextListener {

    @Inject
    Node node;

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        node.shutdown();
    }
}
