package dev.jcable.identity;

import dev.jcable.protocol.JsonText;
import java.util.function.LongSupplier;

/**
 * Decides whether a connection may open, and with which identifiers. A presented token must be valid (else
 * {@code unauthorized}, or {@code token_expired}); without one the connection is accepted with identifiers
 * {@code {"sid":…}} as in AnyCable's public mode, unless {@code enforce_jwt} is on.
 */
public final class Authenticator {

    /** Accepted with {@code identifiers}, or refused with a disconnect {@code reason}. */
    public record Decision(String identifiers, String reason, String detail) {
        public boolean accepted() {
            return reason == null;
        }
    }

    private final JwtVerifier verifier;
    private final boolean enforce;

    public Authenticator(String jwtSecret, boolean enforce, LongSupplier clockMillis) {
        this.verifier = jwtSecret == null || jwtSecret.isEmpty() ? null : new JwtVerifier(jwtSecret, clockMillis);
        this.enforce = enforce;
    }

    public Decision authenticate(String token, String sid) {
        if (token == null) {
            return enforce ? new Decision(null, "unauthorized", "no token and enforce_jwt is on")
                    : new Decision("{\"sid\":" + JsonText.quote(sid) + "}", null, null);
        }
        if (verifier == null) {
            return new Decision(null, "unauthorized", "a token was sent but no jwt_secret is configured");
        }
        JwtVerifier.Result result = verifier.verify(token);
        return switch (result.status()) {
            case VALID -> new Decision(result.identifiers(), null, null);
            case EXPIRED -> new Decision(null, "token_expired", "token expired");
            case INVALID -> new Decision(null, "unauthorized", result.detail());
        };
    }
}
