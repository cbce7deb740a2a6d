package dev.jcable;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every source file of the product stays short enough to read in one sitting (the developers' guide): past
 * {@link #MAX_LINES} lines a class has become two jobs, and the split is cheaper the sooner it is made.
 */
class FileLengthTest {

    static final int MAX_LINES = 400;

    @Test
    void noProductFileIsLongerThanOneSitting() throws IOException {
        List<String> tooLong;
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            tooLong = files.filter(file -> file.toString().endsWith(".java") && lines(file) > MAX_LINES)
                    .map(file -> file + ": " + lines(file) + " lines").sorted().toList();
        }
        assertEquals(List.of(), tooLong, "split these (over " + MAX_LINES + " lines)");
    }

    private static long lines(Path file) {
        try (Stream<String> lines = Files.lines(file)) {
            return lines.count();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
