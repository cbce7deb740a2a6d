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

    /**
     * The deepest nesting of objects and arrays accepted from a client or a publisher. No command needs more than a
     * few levels, and building a value recurses once per level: a frame of 64 KiB of brackets would otherwise take
     * the reading thread's stack (in some JSON-P implementations) instead of being refused.
     */
    public static final int MAX_DEPTH = 64;

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
                    if (Character.isHighSurrogate(c) && i + 1 < value.length()
                            && Character.isLowSurrogate(value.charAt(i + 1))) {
                        out.append(c).append(value.charAt(++i)); // a pair: one character, written as is
                    } else if (c < 0x20 || c == '\u2028' || c == '\u2029' || Character.isSurrogate(c)) {
                        // U+2028/2029 are valid JSON but break JavaScript string literals in some consumers; a lone
                        // surrogate (a client may send the JSON escape of one) cannot be encoded as UTF-8: escaped
                        appendEscape(out, c);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /**
     * {@code json} with every lone surrogate escaped as {@code \\uXXXX}: JSON text that can be encoded as UTF-8.
     * A JSON-P value's {@code toString()} writes a string's characters as they are, and a client may send
     * {@code "\\ud800"}; written raw into a frame, that character fails the strict UTF-8 encoder of some containers,
     * which would close every connection the frame goes to. Lone surrogates only occur inside strings, where the
     * escape means the same.
     */
    public static String safe(String json) {
        int i = 0;
        int n = json.length();
        while (i < n && !Character.isSurrogate(json.charAt(i))) {
            i++;
        }
        if (i == n) {
            return json;
        }
        StringBuilder out = new StringBuilder(n + 16).append(json, 0, i);
        for (; i < n; i++) {
            char c = json.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(json.charAt(i + 1))) {
                out.append(c).append(json.charAt(++i));
            } else if (Character.isSurrogate(c)) {
                appendEscape(out, c);
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static void appendEscape(StringBuilder out, char c) {
        String hex = Integer.toHexString(c);
        out.append("\\u");
        for (int pad = hex.length(); pad < 4; pad++) {
            out.append('0');
        }
        out.append(hex);
    }

    /**
     * Parses {@code text} as exactly one JSON value: anything after it (a second value, garbage) is an error, where
     * a plain {@code JsonReader} would silently ignore it.
     *
     * @throws JsonException (or {@link JsonParsingException}) when it is not exactly one JSON value
     */
    public static JsonValue parse(String text) {
        if (depth(text) > MAX_DEPTH) {
            throw new JsonException("nested deeper than " + MAX_DEPTH + " levels");
        }
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

    /** The deepest nesting of objects and arrays in {@code text}, brackets inside strings not counted. */
    static int depth(String text) {
        int depth = 0;
        int deepest = 0;
        boolean inString = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++; // the escaped character, whatever it is
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                deepest = Math.max(deepest, ++depth);
            } else if (c == '}' || c == ']') {
                depth--;
            }
        }
        return deepest;
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
        return isJsonValue(data) ? safe(data) : quote(data);
    }
}
