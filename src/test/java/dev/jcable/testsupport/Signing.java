package dev.jcable.testsupport;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The tests' one signing helper: AnyCable's signing done independently of the product (signed stream names, the
 * derived keys, connection tokens, webhook signatures), so a test never checks the product against itself.
 */
public final class Signing {

    private Signing() {
    }

    public static String sign(String secret, String stream) {
        String json = "\"" + stream.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        String encoded = Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
        return encoded + "--" + hmacHex(secret, encoded);
    }

    public static String broadcastKey(String secret) {
        return hmacHex(secret, "broadcast-cable");
    }

    public static String apiKey(String secret) {
        return hmacHex(secret, "api-cable");
    }

    public static String webhookSecret(String secret) {
        return hmacHex(secret, "presence-webhook-cable");
    }

    public static String hmacHex(String secret, String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** HMAC of {@code input} (ASCII, as a JWS signing input is) with {@code javaAlgorithm} ("HmacSHA256" …). */
    public static byte[] hmac(String javaAlgorithm, String secret, String input) {
        try {
            Mac mac = Mac.getInstance(javaAlgorithm);
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), javaAlgorithm));
            return mac.doFinal(input.getBytes(StandardCharsets.US_ASCII));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** An AnyCable connection token: HS256 over {"ext":"<identifiers JSON>","exp":…} ({@code exp} left out if null). */
    public static String jwt(String secret, String identifiers, Long expSeconds) {
        String ext = "\"" + identifiers.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        String header = b64url("{\"alg\":\"HS256\",\"typ\":\"JWT\"}");
        String claims = b64url("{\"ext\":" + ext + (expSeconds == null ? "" : ",\"exp\":" + expSeconds) + "}");
        return header + "." + claims + "." + b64url(hmac("HmacSHA256", secret, header + "." + claims));
    }

    public static String b64url(String text) {
        return b64url(text.getBytes(StandardCharsets.UTF_8));
    }

    public static String b64url(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
