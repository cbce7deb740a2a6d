package dev.jcable.bench;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** AnyCable's signing, done independently of the product: signed stream names and the derived keys. */
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
}
