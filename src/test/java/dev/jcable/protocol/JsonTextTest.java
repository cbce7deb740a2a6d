package dev.jcable.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import java.io.StringReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTextTest {

    private static String parseString(String literal) {
        try (JsonReader reader = Json.createReader(new StringReader(literal))) {
            return ((JsonString) reader.readValue()).getString();
        }
    }

    @Test
    void quotesPlainText() {
        assertEquals("\"abc\"", JsonText.quote("abc"));
        assertEquals("\"\"", JsonText.quote(""));
        assertEquals("\"caf\u00e9 \u2603 /\"", JsonText.quote("caf\u00e9 \u2603 /"));
    }

    @Test
    void escapesQuotesAndBackslash() {
        assertEquals("\"a\\\"b\\\\c\"", JsonText.quote("a\"b\\c"));
    }

    @Test
    void escapesControlCharacters() {
        assertEquals("\"\\n\\r\\t\\b\\f\"", JsonText.quote("\n\r\t\b\f"));
        assertEquals("\"\\u0000\\u0001\\u001f\"", JsonText.quote("\u0000\u0001\u001f"));
        assertEquals("\"\u007f\"", JsonText.quote("\u007f"));
    }

    @Test
    void escapesLineAndParagraphSeparators() {
        assertEquals("\"a\\u2028b\\u2029c\"", JsonText.quote("a\u2028b\u2029c"));
    }

    @Test
    void quotedTextParsesBackToTheOriginal() {
        String nasty = "q\" b\\ nl\n cr\r nul\u0000 us\u001f ls\u2028 ps\u2029 e\u00e9 smile\ud83d\ude00";
        assertEquals(nasty, parseString(JsonText.quote(nasty)));
    }

    @Test
    void appendQuotedAppends() {
        StringBuilder out = new StringBuilder("x=");
        JsonText.appendQuoted(out, "\"");
        assertEquals("x=\"\\\"\"", out.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"a\":1}", "{}", "[1,\"2\",{\"b\":[]}]", "[]", "\"abc\"", "\"\"", "42", "-1.5e3",
            "true", "false", "null", "  {\"a\":1}\n"})
    void recognisesJsonValues(String text) {
        assertTrue(JsonText.isJsonValue(text), text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc123", "", "   ", "{} {}", "[] []", "1 2", "\"a\" \"b\"", "{\"a\":", "{\"a\":1}x",
            "{\"a\":1} trailing", "123abc", "tru", "{a:1}", "'single'", "]", "}"})
    void rejectsNonJsonValues(String text) {
        assertFalse(JsonText.isJsonValue(text), text);
    }

    @Test
    void nullIsNotJson() {
        assertFalse(JsonText.isJsonValue(null));
    }

    @Test
    void messageValueKeepsJsonAndQuotesText() {
        assertEquals("\"abc\"", JsonText.messageValue("abc"));
        assertEquals("{\"a\":1}", JsonText.messageValue("{\"a\":1}"));
        assertEquals("\"abc\"", JsonText.messageValue("\"abc\""));
        assertEquals("7", JsonText.messageValue("7"));
        assertEquals("\"\"", JsonText.messageValue(""));
        assertEquals("\"tshh... it's a \\\"secret\\\"\"", JsonText.messageValue("tshh... it's a \"secret\""));
        assertEquals("\"{\\\"a\\\":\"", JsonText.messageValue("{\"a\":"));
    }

    @Test
    void nestingDeeperThanTheLimitIsRefusedBeforeAnythingIsBuilt() {
        String deepest = "[".repeat(JsonText.MAX_DEPTH) + "]".repeat(JsonText.MAX_DEPTH);
        assertEquals(JsonText.MAX_DEPTH, JsonText.depth(deepest));
        JsonText.parse(deepest);
        String tooDeep = "{\"a\":" + deepest + "}";
        jakarta.json.JsonException refused = org.junit.jupiter.api.Assertions.assertThrows(
                jakarta.json.JsonException.class, () -> JsonText.parse(tooDeep));
        assertEquals("nested deeper than 64 levels", refused.getMessage());
        // 64 KiB of brackets, what a hostile frame may carry: refused by counting, not by recursing
        org.junit.jupiter.api.Assertions.assertThrows(jakarta.json.JsonException.class,
                () -> JsonText.parse("[".repeat(65_536)));
    }

    @Test
    void bracketsInsideStringsDoNotCountAsNesting() {
        assertEquals(1, JsonText.depth("{\"s\":\"[[[[{{{{\\\"[[[\"}"));
        assertEquals(2, JsonText.depth("[\"\\\\\",[]]")); // an escaped backslash ends the string before ,[
    }
}
