package dev.jcable.it.app;

import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;

/**
 * An application whose own start fails after jcable's node started (its broker connected): the servlet context's
 * listeners run after CDI's application context started, and with it the node. The deployment then fails for a
 * reason that is not jcable's, and the server must still leave nothing of jcable running.
 */
@WebListener
public class FailingListener implements ServletContextListener {

    public static final String MESSAGE = "the application failed to start after jcable's node started";

    @Override
    public void contextInitialized(ServletContextEvent event) {
        throw new IllegalStateException(MESSAGE);
    }
}
