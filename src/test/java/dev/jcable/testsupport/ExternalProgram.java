package dev.jcable.testsupport;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A program from outside Maven and npm that some tests need. One rule for all of them (README, "Test it"):
 * <ol>
 *   <li>found through its system property, else its environment variable (an explicit setting is used as given:
 *       a wrong path is reported, never silently replaced by another program), else the first of its names on the
 *       {@code PATH}, else its Debian path;</li>
 *   <li>when it is not found, the test is skipped (a JUnit assumption, counted as skipped) with what is missing and
 *       how to install it; with {@code -Djcable.strict=true} (what {@code .ci/run} sets) it fails instead, so CI
 *       never passes by skipping.</li>
 * </ol>
 */
public enum ExternalProgram {

    CHROMIUM("Chromium", "jcable.chromium", "JCABLE_CHROMIUM",
            List.of("chromium", "chromium-browser", "google-chrome"), "/usr/bin/chromium",
            "apt-get install chromium"),
    REDIS_SERVER("redis-server", "jcable.redis-server", "JCABLE_REDIS_SERVER",
            List.of("redis-server"), "/usr/bin/redis-server",
            "apt-get install redis-server");

    /** The system property that turns a missing program into a test failure. */
    public static final String STRICT = "jcable.strict";

    private final String title;
    private final String property;
    private final String variable;
    private final List<String> names;
    private final String debianPath;
    private final String install;

    ExternalProgram(String title, String property, String variable, List<String> names, String debianPath,
                    String install) {
        this.title = title;
        this.property = property;
        this.variable = variable;
        this.names = names;
        this.debianPath = debianPath;
        this.install = install;
    }

    /** Where the program was found, or why it was not. */
    public record Lookup(Path path, String missing) {
        public Optional<Path> found() {
            return Optional.ofNullable(path);
        }
    }

    /**
     * The program's path for a test that cannot run without it: aborts the test (skipped, with the reason) when it
     * is missing, or fails it in strict mode.
     */
    public Path require() {
        Lookup lookup = find(System::getProperty, System::getenv);
        if (lookup.path() != null) {
            return lookup.path();
        }
        String reason = lookup.missing();
        if (Boolean.getBoolean(STRICT)) {
            return Assertions.fail(reason + " (-D" + STRICT + "=true: a missing program fails the run)");
        }
        // surefire counts the skip but does not print why: say it where the build output shows it
        System.err.println("SKIPPED: " + reason);
        Assumptions.abort(reason);
        return null; // not reached
    }

    /** The lookup itself, with the system properties and environment given (for tests of the rule). */
    public Lookup find(UnaryOperator<String> properties, UnaryOperator<String> environment) {
        String explicit = properties.apply(property);
        String source = "-D" + property;
        if (blank(explicit)) {
            explicit = environment.apply(variable);
            source = "$" + variable;
        }
        if (!blank(explicit)) {
            Path path = Path.of(explicit);
            return executable(path) ? new Lookup(path, null)
                    : new Lookup(null, title + " is not an executable file at " + explicit + " (set by " + source
                    + "); point it at the program, or unset it to search the PATH");
        }
        List<String> looked = new ArrayList<>();
        String pathVariable = environment.apply("PATH");
        for (String name : names) {
            if (!blank(pathVariable)) {
                for (String dir : pathVariable.split(File.pathSeparator)) {
                    if (!dir.isEmpty() && executable(Path.of(dir, name))) {
                        return new Lookup(Path.of(dir, name), null);
                    }
                }
            }
            looked.add(name);
        }
        Path debian = Path.of(debianPath);
        if (executable(debian)) {
            return new Lookup(debian, null);
        }
        return new Lookup(null, title + " not found (looked at -D" + property + ", $" + variable + ", "
                + String.join(", ", looked) + " on the PATH, " + debianPath + "); install it with `" + install
                + "` or set -D" + property + "=/path/to/it");
    }

    private static boolean executable(Path path) {
        return Files.isRegularFile(path) && Files.isExecutable(path);
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
