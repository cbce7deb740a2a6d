package dev.jcable.protocol;

import jakarta.json.spi.JsonProvider;
import jakarta.json.JsonException;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonParser;
import jakarta.json.stream.JsonParsingException;
import java.io.StringReader;

/** JSON text helpers for hand-built frames: field order on the wire is part of the contract. */
public final class JsonText {

    /**
     * Looked up once: {@code Json.createParser} asks the ServiceLoader for the provider on every call, which showed
     * as the top cost of a broadcast in the profile (docs/BENCHMARKS.md).
     */
    private static final JsonProvider PROVIDER = JsonProvider.provider();

    private JsonText() {
    }

    /** Returns {@code value} as a quoted JSON string literal. */
    public static String quote(String value) {
        StringBuilder out = new StringBuilder(value.length() + 2);
        appendQuoted(out, value);
        return out.toString();
    }

    public static void appendQuoted(StringBuilder out, String value) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    // U+2028/2029 are valid JSON but break JavaScript string literals in some consumers
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /**
     * Parses {@code text} as exactly one JSON value: anything after it (a second value, garbage) is an error, where
     * a plain {@code JsonReader} would silently ignore it.
     *
     * @throws JsonException (or {@link JsonParsingException}) when it is not exactly one JSON value
     */
    public static JsonValue parse(String text) {
        try (JsonParser parser = PROVIDER.createParser(new StringReader(text))) {
            if (!parser.hasNext()) {
                throw new JsonException("empty");
            }
            parser.next();
            JsonValue value = parser.getValue();
            if (parser.hasNext()) {
                throw new JsonException("content after the JSON value");
            }
            return value;
        } catch (IllegalStateException | java.util.NoSuchElementException e) {
            throw new JsonException("not JSON", e);
        }
    }

    /** True when {@code text} is exactly one JSON value (object, array, string, number, literal). */
    public static boolean isJsonValue(String text) {
        if (text == null || text.isBlank()) {
            return false;
        }
        try (JsonParser parser = PROVIDER.createParser(new StringReader(text))) {
            int depth = 0;
            int values = 0;
            while (parser.hasNext()) {
                JsonParser.Event event = parser.next();
                switch (event) {
                    case START_OBJECT, START_ARRAY -> depth++;
                    case END_OBJECT, END_ARRAY -> {
                        depth--;
                        if (depth == 0) {
                            values++;
                        }
                    }
                    case KEY_NAME -> { }
                    default -> {
                        if (depth == 0) {
                            values++;
                        }
                    }
                }
                if (values > 1) {
                    return false;
                }
            }
            return values == 1 && depth == 0;
        } catch (JsonParsingException | IllegalStateException e) {
            return false;
        }
    }

    /** The delivered {@code message} value: {@code data} itself when it is JSON, else {@code data} as a string. */
    public static String messageValue(String data) {
        return isJsonValue(data) ? data : quote(data);
    }
}
