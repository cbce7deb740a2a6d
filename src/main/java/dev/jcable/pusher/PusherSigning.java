package dev.jcable.pusher;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Pusher's signatures: hex(HMAC-SHA256(secret, text)) for channel authorizations ({@code socket_id:channel[:data]}),
 * HTTP API requests and webhook bodies; compared in constant time, so a forger learns nothing from the timing.
 */
public final class PusherSigning {

    private PusherSigning() {
    }

    public static String hmacHex(String secret, String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }

    /** Whether {@code given} equals {@code expected}, in time that does not depend on where they first differ. */
    public static boolean matches(String expected, String given) {
        return given != null && MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
                given.getBytes(StandardCharsets.UTF_8));
    }

    /** The {@code auth} a client must send to subscribe: {@code <key>:<hex signature>}. */
    public static String channelAuth(String key, String secret, String socketId, String channel, String channelData) {
        String text = channelData == null ? socketId + ":" + channel : socketId + ":" + channel + ":" + channelData;
        return key + ":" + hmacHex(secret, text);
    }
}
