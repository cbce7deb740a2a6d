package dev.jcable.streams;

import dev.jcable.protocol.JsonText;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.Optional;

/**
 * Resolves an identifier to its stream. {@code $pubsub}: {@code signed_stream_name} (verified, always wins) or
 * {@code stream_name} (only with public streams). {@code Turbo::StreamsChannel} (with {@code turbo_streams}): a
 * {@code signed_stream_name} verified with the Turbo secret, without presence or whisper, as Hotwire pages send it.
 * Anything else is rejected.
 */
public final class StreamResolver {

    public static final String PUBSUB_CHANNEL = "$pubsub";
    public static final String TURBO_CHANNEL = "Turbo::StreamsChannel";

    private final MessageVerifier verifier;
    private final MessageVerifier turboVerifier;
    private final boolean publicStreams;
    private final boolean signedPresence;
    private final boolean signedWhisper;

    /** @param turboVerifier verifies Turbo stream names, or null when Turbo Streams are off */
    public StreamResolver(MessageVerifier verifier, MessageVerifier turboVerifier, boolean publicStreams,
                          boolean signedPresence, boolean signedWhisper) {
        this.verifier = verifier;
        this.turboVerifier = turboVerifier;
        this.publicStreams = publicStreams;
        this.signedPresence = signedPresence;
        this.signedWhisper = signedWhisper;
    }

    public Optional<StreamSpec> resolve(String identifier) {
        JsonObject params = parse(identifier);
        String channel = params == null ? null : string(params, "channel");
        if (TURBO_CHANNEL.equals(channel) && turboVerifier != null) {
            return verified(turboVerifier, string(params, "signed_stream_name"), false, false);
        }
        if (!PUBSUB_CHANNEL.equals(channel)) {
            return Optional.empty();
        }
        String signed = string(params, "signed_stream_name");
        if (signed != null && !signed.isEmpty()) {
            return verified(verifier, signed, signedPresence, signedWhisper);
        }
        String name = string(params, "stream_name");
        if (publicStreams && name != null && !name.isEmpty()) {
            return Optional.of(new StreamSpec(name, true, true));
        }
        return Optional.empty();
    }

    private static Optional<StreamSpec> verified(MessageVerifier verifier, String signed, boolean presence,
                                                 boolean whisper) {
        if (signed == null || signed.isEmpty()) {
            return Optional.empty();
        }
        return verifier.verify(signed)
                .filter(v -> v.getValueType() == JsonValue.ValueType.STRING)
                .map(v -> new StreamSpec(((JsonString) v).getString(), presence, whisper));
    }

    /** The signed name of a stream, as {@code cable.streamFromSigned(…)} expects it. */
    public String sign(String stream) {
        return verifier.sign(JsonText.quote(stream));
    }

    private static JsonObject parse(String identifier) {
        if (identifier == null) {
            return null;
        }
        try {
            JsonValue value = JsonText.parse(identifier);
            return value.getValueType() == JsonValue.ValueType.OBJECT ? value.asJsonObject() : null;
        } catch (JsonException e) {
            return null;
        }
    }

    private static String string(JsonObject obj, String name) {
        JsonValue v = obj.get(name);
        return v instanceof JsonString s ? s.getString() : null;
    }
}
