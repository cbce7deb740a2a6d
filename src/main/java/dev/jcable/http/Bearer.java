package dev.jcable.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** Checks {@code Authorization: Bearer <key>} in constant time. */
final class Bearer {

    private Bearer() {
    }

    /** @param key the expected key, or null when no key is required */
    static void require(String authorization, String key) {
        if (!matches(authorization, key)) {
            throw ApiError.of(401, "unauthorized", refusal(authorization));
        }
    }

    /** Whether {@code authorization} carries {@code key} (always, when {@code key} is null). */
    static boolean matches(String authorization, String key) {
        if (key == null) {
            return true;
        }
        byte[] expected = ("Bearer " + key).getBytes(StandardCharsets.UTF_8);
        byte[] given = authorization == null ? new byte[0] : authorization.getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(expected, given);
    }

    /** What a 401 says. */
    static String refusal(String authorization) {
        return authorization == null ? "missing Authorization: Bearer <key> header"
                : "wrong key in the Authorization header";
    }
}
