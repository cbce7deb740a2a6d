package dev.jcable.config;

import java.util.List;
import java.util.Optional;
import javax.naming.InitialContext;
import javax.naming.NamingException;

/**
 * The server-side sources, in order: a server JNDI binding, system properties, environment, then the WAR's own
 * {@code web.xml} env-entry. No single JNDI name binds on every server (WildFly only accepts {@code java:global/…},
 * Payara and Liberty only plain names), so both are tried.
 */
public final class JndiSources {

    private JndiSources() {
    }

    public static List<ConfigSource> standard() {
        return List.of(
                jndi("jndi java:global/anycable/*", "java:global/"),
                jndi("jndi anycable/*", ""),
                ConfigSource.systemProperties(),
                ConfigSource.environment(),
                jndi("web.xml", "java:comp/env/"));
    }

    private static ConfigSource jndi(String label, String prefix) {
        return new ConfigSource(label, option -> lookup(prefix + option.jndiName()));
    }

    private static Optional<String> lookup(String name) {
        try {
            Object value = new InitialContext().lookup(name);
            return value == null ? Optional.empty() : Optional.of(value.toString());
        } catch (NamingException | RuntimeException e) {
            return Optional.empty(); // not bound: the next source decides
        }
    }
}
