package dev.jcable.streams;

import dev.jcable.protocol.JsonText;
import jakarta.json.JsonException;
import jakarta.json.JsonValue;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Rails {@code ActiveSupport::MessageVerifier} (SHA256 digest, JSON serializer), as AnyCable signs stream names:
 * {@code base64(JSON(value)) + "--" + hex(HMAC-SHA256(secret, base64part))}.
 * Thread-safe; an empty secret verifies nothing.
 */
public final class MessageVerifier {

    private static final String ALGORITHM = "HmacSHA256";
    private static final String SEPARATOR = "--";

    private final SecretKeySpec key;
    private volatile Mac prototype;

    public MessageVerifier(String secret) {
        this.key = secret == null || secret.isEmpty()
                ? null : new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM);
    }

    /** The verified JSON value, or empty when the signature, the base64 or the JSON is bad. */
    public Optional<JsonValue> verify(String signed) {
        if (key == null || signed == null) {
            return Optional.empty();
        }
        int at = signed.indexOf(SEPARATOR);
        if (at <= 0 || signed.indexOf(SEPARATOR, at + SEPARATOR.length()) >= 0) {
            return Optional.empty();
        }
        String encoded = signed.substring(0, at);
        byte[] given = signed.substring(at + SEPARATOR.length()).getBytes(StandardCharsets.US_ASCII);
        byte[] expected = hex(hmac(encoded)).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, given)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JsonText.parse(new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8)));
        } catch (IllegalArgumentException | JsonException e) {
            return Optional.empty();
        }
    }

    /** Signs a value given as JSON text (a stream name is signed as a JSON string). */
    public String sign(String json) {
        if (key == null) {
            throw new IllegalStateException("no secret to sign with");
        }
        String encoded = Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
        return encoded + SEPARATOR + hex(hmac(encoded));
    }

    private byte[] hmac(String message) {
        try {
            Mac mac = (Mac) prototype().clone(); // cloning a keyed Mac skips the provider lookup and key setup
            return mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("HmacSHA256 cannot be cloned", e);
        }
    }

    private Mac prototype() {
        Mac mac = prototype;
        if (mac == null) {
            try {
                mac = Mac.getInstance(ALGORITHM);
                mac.init(key);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 unavailable", e);
            }
            prototype = mac;
        }
        return mac;
    }

    /** {@code hex(HMAC-SHA256(secret, phrase))}: how AnyCable derives the broadcast and API keys. */
    public static String derive(String secret, String phrase) {
        return hex(new MessageVerifier(secret).hmac(phrase));
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
