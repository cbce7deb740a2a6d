package dev.jcable.endpoint;

import dev.jcable.node.Node;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.ContextNotActiveException;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.inject.Inject;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;

/**
 * Stops the node when the servlet context goes down, also when the context's own start failed after the node
 * started: an application listener that throws fails the deployment after jcable's node connected to Redis, and
 * Payara then destroys neither the application's CDI beans ({@code @PreDestroy} never runs) nor anything else of
 * it, but it does call every listener's {@code contextDestroyed} (PayaraRedeployIT). Only a node that exists is
 * stopped: asking the CDI context for the instance never creates one. On an ordinary undeploy {@link DrainFilter}
 * or the node's {@code @PreDestroy} stops it as well; {@link Node#shutdown()} runs once.
 */
@WebListener
public class NodeStopper implements ServletContextListener {

    @Inject
    BeanManager beans;

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        try {
            Bean<?> bean = beans.resolve(beans.getBeans(Node.class));
            Object node = beans.getContext(ApplicationScoped.class).get(bean);
            if (node instanceof Node started) {
                started.shutdown();
            }
        } catch (ContextNotActiveException e) {
            // the application's beans are gone already, and the node's @PreDestroy with them
        }
    }
}
