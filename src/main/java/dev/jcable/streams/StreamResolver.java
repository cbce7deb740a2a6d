package dev.jcable.streams;

import dev.jcable.protocol.JsonText;
import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.util.Optional;

/**
 * Resolves a {@code $pubsub} identifier to its stream: {@code signed_stream_name} (verified, always wins) or
 * {@code stream_name} (only with public streams). Anything else is rejected.
 */
public final class StreamResolver {

    public static final String PUBSUB_CHANNEL = "$pubsub";

    private final MessageVerifier verifier;
    private final boolean publicStreams;
    private final boolean signedPresence;
    private final boolean signedWhisper;

    public StreamResolver(MessageVerifier verifier, boolean publicStreams, boolean signedPresence,
                          boolean signedWhisper) {
        this.verifier = verifier;
        this.publicStreams = publicStreams;
        this.signedPresence = signedPresence;
        this.signedWhisper = signedWhisper;
    }

    public Optional<StreamSpec> resolve(String identifier) {
        JsonObject params = parse(identifier);
        if (params == null || !PUBSUB_CHANNEL.equals(string(params, "channel"))) {
            return Optional.empty();
        }
        String signed = string(params, "signed_stream_name");
        if (signed != null && !signed.isEmpty()) {
            return verifier.verify(signed)
                    .filter(v -> v.getValueType() == JsonValue.ValueType.STRING)
                    .map(v -> new StreamSpec(((JsonString) v).getString(), signedPresence, signedWhisper));
        }
        String name = string(params, "stream_name");
        if (publicStreams && name != null && !name.isEmpty()) {
            return Optional.of(new StreamSpec(name, true, true));
        }
        return Optional.empty();
    }

    /** The signed name of a stream, as {@code cable.streamFromSigned(…)} expects it. */
    public String sign(String stream) {
        return verifier.sign(JsonText.quote(stream));
    }

    private static JsonObject parse(String identifier) {
        if (identifier == null) {
            return null;
        }
        try (JsonReader reader = Json.createReader(new StringReader(identifier))) {
            JsonValue value = reader.readValue();
            return value.getValueType() == JsonValue.ValueType.OBJECT ? value.asJsonObject() : null;
        } catch (JsonException | IllegalStateException e) {
            return null;
        }
    }

    private static String string(JsonObject obj, String name) {
        JsonValue v = obj.get(name);
        return v instanceof JsonString s ? s.getString() : null;
    }
}
