package dev.jcable.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** Checks {@code Authorization: Bearer <key>} in constant time. */
final class Bearer {

    private Bearer() {
    }

    /** @param key the expected key, or null when no key is required */
    static void require(String authorization, String key) {
        if (key == null) {
            return;
        }
        byte[] expected = ("Bearer " + key).getBytes(StandardCharsets.UTF_8);
        byte[] given = authorization == null ? new byte[0] : authorization.getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(expected, given)) {
            throw ApiError.of(401, "unauthorized", authorization == null
                    ? "missing Authorization: Bearer <key> header" : "wrong key in the Authorization header");
        }
    }
}
