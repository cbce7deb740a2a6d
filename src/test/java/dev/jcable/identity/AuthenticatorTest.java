package dev.jcable.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Connection authentication outcomes (protocol doc, section 1.3). */
class AuthenticatorTest {

    static final String SECRET = JwtVerifierTest.SECRET;
    static final long NOW = JwtVerifierTest.NOW;

    final AtomicLong clock = new AtomicLong(NOW * 1000);

    Authenticator authenticator(String secret, boolean enforce) {
        return new Authenticator(secret, enforce, clock::get);
    }

    static String validToken() {
        return JwtVerifierTest.hs256(JwtVerifierTest.claims(NOW + 60));
    }

    static void assertAccepted(String identifiers, Authenticator.Decision decision) {
        assertTrue(decision.accepted(), () -> "refused: " + decision);
        assertEquals(identifiers, decision.identifiers());
        assertNull(decision.reason());
    }

    static void assertRefused(String reason, Authenticator.Decision decision) {
        assertFalse(decision.accepted());
        assertEquals(reason, decision.reason());
        assertNull(decision.identifiers());
    }

    @Test
    void noTokenWithoutEnforcementIsPublic() {
        assertAccepted("{\"sid\":\"sid-1\"}", authenticator(SECRET, false).authenticate(null, "sid-1"));
        assertAccepted("{\"sid\":\"sid-1\"}", authenticator(null, false).authenticate(null, "sid-1"));
        assertAccepted("{\"sid\":\"sid-1\"}", authenticator("", false).authenticate(null, "sid-1"));
    }

    @Test
    void publicIdentifiersQuoteTheSid() {
        assertAccepted("{\"sid\":\"a\\\"b\\\\c\"}", authenticator(SECRET, false).authenticate(null, "a\"b\\c"));
    }

    @Test
    void noTokenWithEnforcementIsUnauthorized() {
        assertRefused("unauthorized", authenticator(SECRET, true).authenticate(null, "sid-1"));
    }

    @Test
    void validTokenGivesItsIdentifiers() {
        assertAccepted(JwtVerifierTest.EXT, authenticator(SECRET, false).authenticate(validToken(), "sid-1"));
        assertAccepted(JwtVerifierTest.EXT, authenticator(SECRET, true).authenticate(validToken(), "sid-1"));
    }

    @Test
    void expiredTokenIsTokenExpired() {
        String token = validToken();
        clock.set((NOW + 60) * 1000);
        assertRefused("token_expired", authenticator(SECRET, false).authenticate(token, "sid-1"));
        assertRefused("token_expired", authenticator(SECRET, true).authenticate(token, "sid-1"));
    }

    @Test
    void invalidTokenIsUnauthorizedEvenWhenNotEnforced() {
        String forged = JwtVerifierTest.token("{\"alg\":\"HS256\"}", JwtVerifierTest.claims(NOW + 60), "HS256",
                "not-the-secret");
        assertRefused("unauthorized", authenticator(SECRET, false).authenticate(forged, "sid-1"));
        assertRefused("unauthorized", authenticator(SECRET, true).authenticate(forged, "sid-1"));
        assertRefused("unauthorized", authenticator(SECRET, false).authenticate("garbage", "sid-1"));
    }

    @Test
    void tokenWithoutAConfiguredSecretIsUnauthorized() {
        assertRefused("unauthorized", authenticator(null, false).authenticate(validToken(), "sid-1"));
        assertRefused("unauthorized", authenticator("", false).authenticate(validToken(), "sid-1"));
    }

    @Test
    void theClockIsTheOneGiven() {
        Authenticator authenticator = authenticator(SECRET, true);
        String token = validToken();
        clock.set((NOW + 60) * 1000 - 1);
        assertAccepted(JwtVerifierTest.EXT, authenticator.authenticate(token, "sid-1"));
        clock.set((NOW + 60) * 1000);
        assertRefused("token_expired", authenticator.authenticate(token, "sid-1"));
    }
}
