package dev.jcable.config;

import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * One place a value may come from. Sources are asked in order; the first that has a value wins.
 *
 * @param name   shown in the start-up log and in errors, e.g. {@code jndi:anycable/presence_ttl}
 * @param lookup the raw value for an option, or empty
 */
public record ConfigSource(String name, Function<Option, Optional<String>> lookup) {

    public static ConfigSource of(String name, Map<Option, String> values) {
        return new ConfigSource(name, o -> Optional.ofNullable(values.get(o)));
    }

    public static ConfigSource systemProperties() {
        return new ConfigSource("system property anycable.*", o -> Optional.ofNullable(System.getProperty(o.propertyName())));
    }

    public static ConfigSource environment() {
        return environment(System::getenv);
    }

    /** {@code ANYCABLE_<NAME>}, then the option's {@link Option#fallbackEnvName()} if it has one. */
    static ConfigSource environment(Function<String, String> env) {
        return new ConfigSource("env ANYCABLE_*", o -> {
            String value = env.apply(o.envName());
            if (value == null && o.fallbackEnvName() != null) {
                value = env.apply(o.fallbackEnvName());
            }
            return Optional.ofNullable(value);
        });
    }
}
