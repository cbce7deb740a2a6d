package dev.jcable.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** docs/configuration.md lists every option with its environment variable, JNDI name and default. */
class ConfigurationDocTest {

    @Test
    void theOptionsTableMatchesTheCode() throws Exception {
        Map<String, List<String>> rows = Files.readAllLines(Path.of("docs/configuration.md")).stream()
                .filter(line -> line.startsWith("| `"))
                .map(line -> Arrays.stream(line.split("\\|")).map(String::trim).filter(c -> !c.isEmpty()).toList())
                .collect(Collectors.toMap(cells -> cells.get(0), Function.identity()));
        assertEquals(Option.values().length, rows.size(), "one row per option: " + rows.keySet());
        for (Option option : Option.values()) {
            List<String> row = rows.get("`" + option.key() + "`");
            assertTrue(row != null, option.key() + " is missing from docs/configuration.md");
            assertEquals("`" + option.envName() + "`", row.get(1), option.key());
            assertEquals("`" + option.jndiName() + "`", row.get(2), option.key());
            if (!option.defaultValue().isEmpty()) {
                assertEquals("`" + option.defaultValue() + "`", row.get(3), option.key());
            }
        }
    }
}
