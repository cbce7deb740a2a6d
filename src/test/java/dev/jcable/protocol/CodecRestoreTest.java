package dev.jcable.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Restored welcomes, durable deliveries (protocol doc, sections 1.4 and 2.4) and strict JSON parsing. */
class CodecRestoreTest {

    @Test
    void welcomeRestoredListsTheIdentifiersQuoted() {
        assertEquals("{\"type\":\"welcome\",\"sid\":\"new\",\"restored\":true,"
                        + "\"restored_ids\":[\"a\",\"{\\\"channel\\\":\\\"x\\\"}\"]}",
                Codec.welcomeRestored("new", List.of("a", "{\"channel\":\"x\"}")));
    }

    @Test
    void welcomeRestoredAsInTheGoServerTest() {
        assertEquals("{\"type\":\"welcome\",\"sid\":\"214\",\"restored\":true,\"restored_ids\":[\"fruits_channel\"]}",
                Codec.welcomeRestored("214", List.of("fruits_channel")));
    }

    @Test
    void welcomeRestoredWithoutIdentifiers() {
        assertEquals("{\"type\":\"welcome\",\"sid\":\"s\",\"restored\":true,\"restored_ids\":[]}",
                Codec.welcomeRestored("s", List.of()));
    }

    @Test
    void welcomeRestoredEscapesTheSid() {
        assertEquals("{\"type\":\"welcome\",\"sid\":\"a\\\"b\",\"restored\":true,\"restored_ids\":[\"x\"]}",
                Codec.welcomeRestored("a\"b", List.of("x")));
    }

    @Test
    void durableMessageCarriesStreamEpochAndOffset() {
        String quoted = JsonText.quote("{\"channel\":\"$pubsub\",\"stream_name\":\"s\"}");
        assertEquals("{\"identifier\":\"{\\\"channel\\\":\\\"$pubsub\\\",\\\"stream_name\\\":\\\"s\\\"}\","
                        + "\"message\":{\"text\":\"hi\"},\"stream_id\":\"s\",\"epoch\":\"ep\",\"offset\":3}",
                Codec.message(quoted, "{\"text\":\"hi\"}", Codec.streamMeta("s", "ep", 3)));
    }

    @Test
    void streamMetaText() {
        assertEquals(",\"stream_id\":\"s\",\"epoch\":\"ep\",\"offset\":3", Codec.streamMeta("s", "ep", 3));
        assertEquals(",\"stream_id\":\"a\\\"b\",\"epoch\":\"x1Y2z3\",\"offset\":9007199254740993",
                Codec.streamMeta("a\"b", "x1Y2z3", 9_007_199_254_740_993L));
    }

    @Test
    void durableMessageIsValidJson() {
        String frame = Codec.message(JsonText.quote("id"), "\"text\"", Codec.streamMeta("chat:1", "abc", 42));
        var obj = JsonText.parse(frame).asJsonObject();
        assertEquals("id", obj.getString("identifier"));
        assertEquals("text", obj.getString("message"));
        assertEquals("chat:1", obj.getString("stream_id"));
        assertEquals("abc", obj.getString("epoch"));
        assertEquals(42, obj.getJsonNumber("offset").longValueExact());
        assertEquals(List.of("identifier", "message", "stream_id", "epoch", "offset"), List.copyOf(obj.keySet()));
    }

    // ---- JsonText.parse --------------------------------------------------------------------------------

    @Test
    void parseAcceptsScalars() {
        assertEquals(42, ((JsonNumber) JsonText.parse("42")).longValueExact());
        assertEquals("-1.5E+3", ((JsonNumber) JsonText.parse("-1.5e3")).bigDecimalValue().toString());
        assertEquals("abc", ((JsonString) JsonText.parse("\"abc\"")).getString());
        assertEquals(JsonValue.TRUE, JsonText.parse("true"));
        assertEquals(JsonValue.FALSE, JsonText.parse("false"));
        assertEquals(JsonValue.NULL, JsonText.parse("null"));
    }

    @Test
    void parseAcceptsContainersAndSurroundingWhitespace() {
        assertEquals(JsonValue.ValueType.OBJECT, JsonText.parse(" {\"a\":[1,{}]}\n").getValueType());
        assertEquals(JsonValue.ValueType.ARRAY, JsonText.parse("\t[]  ").getValueType());
        assertEquals("x", ((JsonString) JsonText.parse("  \"x\"  ")).getString());
        assertEquals(7, ((JsonNumber) JsonText.parse(" 7 ")).intValue());
    }

    @ParameterizedTest
    @ValueSource(strings = {"{} {}", "{\"a\":1} x", "{\"a\":1}x", "[1] ]", "[] []", "1 2", "\"a\" \"b\"",
            "true false", "null x", "42abc", "\"a\"x", "{}}"})
    void parseRejectsTrailingContent(String text) {
        assertThrows(JsonException.class, () -> JsonText.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "{\"a\":", "tru", "{a:1}", "'x'", "]", "\"open"})
    void parseRejectsNonJson(String text) {
        assertThrows(JsonException.class, () -> JsonText.parse(text));
    }
}
