package dev.jcable.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/** The rule for programs from outside Maven and npm: property, environment, PATH, Debian path; skip or fail. */
class ExternalProgramTest {

    @TempDir
    Path dir;

    private final Map<String, String> properties = new HashMap<>();
    private final Map<String, String> environment = new HashMap<>();

    private ExternalProgram.Lookup find(ExternalProgram program) {
        return program.find(properties::get, environment::get);
    }

    private Path program(String folder, String name) throws IOException {
        Path path = Files.createDirectories(dir.resolve(folder)).resolve(name);
        Files.writeString(path, "#!/bin/sh\n");
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
        return path;
    }

    @Test
    void thePropertyComesFirstThenTheEnvironmentThenThePathInNameOrder() throws IOException {
        Path byProperty = program("p", "my-chromium");
        Path byVariable = program("v", "their-chromium");
        program("bin2", "google-chrome");
        Path first = program("bin1", "chromium-browser");
        environment.put("PATH", dir.resolve("bin2") + File.pathSeparator + dir.resolve("bin1"));
        // on the PATH: names are tried in order (chromium, chromium-browser, google-chrome), each across the PATH
        assertEquals(first, find(ExternalProgram.CHROMIUM).path());
        environment.put("JCABLE_CHROMIUM", byVariable.toString());
        assertEquals(byVariable, find(ExternalProgram.CHROMIUM).path());
        properties.put("jcable.chromium", byProperty.toString());
        assertEquals(byProperty, find(ExternalProgram.CHROMIUM).path());
    }

    @Test
    void anExplicitPathThatIsNoProgramIsReportedNotReplaced() throws IOException {
        program("bin", "redis-server");
        environment.put("PATH", dir.resolve("bin").toString());
        Path notExecutable = Files.writeString(dir.resolve("redis"), "text");
        environment.put("JCABLE_REDIS_SERVER", notExecutable.toString());
        ExternalProgram.Lookup lookup = find(ExternalProgram.REDIS_SERVER);
        assertNull(lookup.path());
        assertEquals("redis-server is not an executable file at " + notExecutable + " (set by $JCABLE_REDIS_SERVER);"
                + " point it at the program, or unset it to search the PATH", lookup.missing());
    }

    @Test
    void aMissingProgramSaysWhereItLookedAndHowToInstallIt() {
        environment.put("PATH", dir.toString());
        ExternalProgram.Lookup lookup = find(ExternalProgram.CHROMIUM);
        if (Files.isExecutable(Path.of("/usr/bin/chromium"))) {
            assertEquals(Path.of("/usr/bin/chromium"), lookup.path(), "the Debian path is the last resort");
            return;
        }
        assertNull(lookup.path());
        assertEquals("Chromium not found (looked at -Djcable.chromium, $JCABLE_CHROMIUM, chromium, chromium-browser,"
                + " google-chrome on the PATH, /usr/bin/chromium); install it with `apt-get install chromium` or set"
                + " -Djcable.chromium=/path/to/it", lookup.missing());
    }

    @Test
    void requireSkipsWithTheReasonOrFailsWhenStrict() {
        String saved = System.getProperty("jcable.redis-server");
        String strict = System.getProperty(ExternalProgram.STRICT);
        try {
            System.setProperty("jcable.redis-server", dir.resolve("nothing-here").toString());
            System.clearProperty(ExternalProgram.STRICT);
            TestAbortedException skipped = assertThrows(TestAbortedException.class,
                    ExternalProgram.REDIS_SERVER::require);
            assertTrue(skipped.getMessage().contains("redis-server is not an executable file at "),
                    skipped.getMessage());
            System.setProperty(ExternalProgram.STRICT, "true");
            AssertionFailedError failed = assertThrows(AssertionFailedError.class,
                    ExternalProgram.REDIS_SERVER::require);
            assertTrue(failed.getMessage().endsWith("(-Djcable.strict=true: a missing program fails the run)"),
                    failed.getMessage());
        } finally {
            restore("jcable.redis-server", saved);
            restore(ExternalProgram.STRICT, strict);
        }
    }

    private static void restore(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }
}
