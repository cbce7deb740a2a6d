package dev.jcable.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads one option's value from the sources (first value wins, then the built-in default) as the type it has,
 * remembering where each came from: a refused value names its option and its source.
 */
final class OptionValues {

    private static final Pattern UNRESOLVED = Pattern.compile("\\$\\{[^{}]+}");

    private final List<ConfigSource> sources;
    private final Map<Option, String> origin = new EnumMap<>(Option.class);

    OptionValues(List<ConfigSource> sources) {
        this.sources = List.copyOf(sources);
    }

    /** Records a value's origin that is not a source ("generated", "derived from secret"). */
    void origin(Option option, String from) {
        origin.put(option, from);
    }

    /** Where each option read so far came from. */
    Map<Option, String> origins() {
        return Map.copyOf(origin);
    }

    /** The raw value of the first source that has one, else the default; records where it came from. */
    String raw(Option option) {
        for (ConfigSource source : sources) {
            Optional<String> value = source.lookup().apply(option).map(String::trim);
            if (value.isPresent()) {
                origin.put(option, source.name());
                if (UNRESOLVED.matcher(value.get()).matches()) {
                    // Payara (${ENV=X}) and Liberty (${env.X}) pass such a value on as text when the variable is
                    // unset: a secret that silently became its own placeholder is worse than a failed deployment
                    throw new ConfigException("jcable: option '" + option.key() + "' (from " + source.name()
                            + ") is '" + value.get() + "', a placeholder the server did not resolve: set what it"
                            + " names, or remove the entry so that a later source applies");
                }
                return value.get();
            }
        }
        origin.put(option, "default");
        return option.defaultValue();
    }

    String nonEmpty(Option option) {
        String value = raw(option);
        if (value.isEmpty()) {
            throw invalid(option, value, "must not be empty");
        }
        return value;
    }

    /** Whole milliseconds, as anycable-go's {@code rpc_request_timeout}; at least 1. */
    Duration millis(Option option) {
        return Duration.ofMillis(number(option, 1, 3_600_000));
    }

    boolean bool(Option option) {
        String value = raw(option).toLowerCase(Locale.ROOT);
        return switch (value) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw invalid(option, value, "must be true or false");
        };
    }

    /** Whole or fractional seconds ({@code 15}, {@code 0.5}); 0 means "immediately" or "off", per option. */
    Duration seconds(Option option) {
        String value = raw(option);
        try {
            BigDecimal seconds = new BigDecimal(value);
            long millis = seconds.movePointRight(3).longValueExact();
            if (millis < 0) {
                throw invalid(option, value, "must not be negative");
            }
            return Duration.ofMillis(millis);
        } catch (NumberFormatException | ArithmeticException e) {
            throw invalid(option, value, "must be a number of seconds");
        }
    }

    long number(Option option, long min, long max) {
        String value = raw(option);
        try {
            long n = Long.parseLong(value);
            if (n < min || n > max) {
                throw invalid(option, value, "must be between " + min + " and " + max);
            }
            return n;
        } catch (NumberFormatException e) {
            throw invalid(option, value, "must be a whole number");
        }
    }

    ConfigException invalid(Option option, String value, String why) {
        return new ConfigException("jcable: invalid value '" + value + "' for option '" + option.key()
                + "' (from " + origin.get(option) + "): " + why);
    }
}
