package dev.jcable.endpoint;

import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Loads (without initializing) every class of the WAR when it starts, so that the way down needs none from the
 * archive. Open Liberty reads classes from the WAR file lazily, and its usual undeploy, deleting the WAR from
 * {@code dropins} (also what its Arquillian adapter does), removes the file before the application stops. A class
 * first needed on the way down (e.g. by the first session cached on close) then fails to load ({@code CWWKL0002E},
 * {@code NoSuchFileException}) and that connection's close handler dies half-way. Other servers do not need this;
 * it costs a few milliseconds at start everywhere.
 *
 * <p>The classes in {@link #OPTIONAL}, built on an API that only some servers carry (with their nested and anonymous
 * classes), are loaded only where that API is there: elsewhere nothing uses them, and a failed attempt is a warning
 * with a stack trace in WildFly's log ({@code org.jboss.modules.define}).
 */
@WebListener
public class ClassPreloader implements ServletContextListener {

    private static final Logger LOG = Logger.getLogger(ClassPreloader.class.getName());
    private static final String CLASSES = "/WEB-INF/classes/";
    /**
     * Classes for an optional server API, and a class of that API: MicroProfile Health (the same condition as the
     * exclusion in beans.xml), and the Payara transport's Grizzly and Tyrus callbacks.
     */
    private static final Map<String, String> OPTIONAL = Map.of(
            "dev.jcable.http.HealthChecks", "org/eclipse/microprofile/health/HealthCheck.class",
            "dev.jcable.session.GrizzlyOut", "org/glassfish/grizzly/CompletionHandler.class",
            "dev.jcable.session.TyrusTransport", "org/glassfish/tyrus/spi/CompletionHandler.class");

    @Override
    public void contextInitialized(ServletContextEvent event) {
        int loaded = preload(event.getServletContext(), ClassPreloader.class.getClassLoader());
        LOG.fine(() -> "jcable: " + loaded + " classes loaded ahead of undeploy");
    }

    /** Loads every class under {@code /WEB-INF/classes}, without running static initializers; returns how many. */
    static int preload(ServletContext context, ClassLoader loader) {
        int loaded = 0;
        Deque<String> dirs = new ArrayDeque<>();
        dirs.push(CLASSES);
        while (!dirs.isEmpty()) {
            Set<String> paths = context.getResourcePaths(dirs.pop());
            if (paths == null) {
                continue;
            }
            for (String path : paths) {
                if (path.endsWith("/")) {
                    dirs.push(path);
                } else if (path.endsWith(".class") && !path.endsWith("-info.class")) {
                    String name = path.substring(CLASSES.length(), path.length() - ".class".length()).replace('/', '.');
                    String api = OPTIONAL.get(name.contains("$") ? name.substring(0, name.indexOf('$')) : name);
                    if (api != null && loader.getResource(api) == null) {
                        continue;
                    }
                    try {
                        Class.forName(name, false, loader);
                        loaded++;
                    } catch (ClassNotFoundException | LinkageError e) {
                        LOG.log(Level.FINE, "jcable: could not preload " + name, e);
                    }
                }
            }
        }
        return loaded;
    }
}
