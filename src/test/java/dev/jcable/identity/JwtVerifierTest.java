package dev.jcable.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * AnyCable JWT connection tokens (protocol doc, section 1.3). Tokens are built here with the JDK's HMAC, not with the
 * code under test.
 */
class JwtVerifierTest {

    static final String SECRET = "s3Krit";
    /** Unix seconds of the test clock's "now". */
    static final long NOW = 1_700_000_000L;
    static final String EXT = "{\"user_id\":42}";
    /** The identifiers as they sit in the claims: a JSON string holding JSON. */
    static final String EXT_CLAIM = "\"{\\\"user_id\\\":42}\"";

    final AtomicLong clock = new AtomicLong(NOW * 1000);
    final JwtVerifier verifier = new JwtVerifier(SECRET, clock::get);

    // ---- building tokens -------------------------------------------------------------------------------

    static String b64(String text) {
        return b64(text.getBytes(StandardCharsets.UTF_8));
    }

    static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static byte[] hmac(String javaAlgorithm, String secret, String input) {
        return dev.jcable.testsupport.Signing.hmac(javaAlgorithm, secret, input);
    }

    static String javaAlgorithm(String alg) {
        return switch (alg) {
            case "HS384" -> "HmacSHA384";
            case "HS512" -> "HmacSHA512";
            default -> "HmacSHA256";
        };
    }

    /** {@code header.claims.signature}, signed with {@code macAlgorithm} ("HS256" …) and {@code secret}. */
    static String token(String headerJson, String claimsJson, String macAlgorithm, String secret) {
        String input = b64(headerJson) + "." + b64(claimsJson);
        return input + "." + b64(hmac(javaAlgorithm(macAlgorithm), secret, input));
    }

    static String token(String alg, String claimsJson) {
        return token("{\"alg\":\"" + alg + "\",\"typ\":\"JWT\"}", claimsJson, alg, SECRET);
    }

    static String hs256(String claimsJson) {
        return token("HS256", claimsJson);
    }

    static String claims(long exp) {
        return "{\"ext\":" + EXT_CLAIM + ",\"exp\":" + exp + "}";
    }

    void assertValid(String token, String identifiers) {
        JwtVerifier.Result result = verifier.verify(token);
        assertEquals(JwtVerifier.Status.VALID, result.status(), () -> String.valueOf(result.detail()));
        assertTrue(result.ok());
        assertEquals(identifiers, result.identifiers());
    }

    void assertInvalid(String token) {
        JwtVerifier.Result result = verifier.verify(token);
        assertEquals(JwtVerifier.Status.INVALID, result.status(), token);
        assertFalse(result.ok());
        assertNull(result.identifiers());
    }

    void assertExpired(String token) {
        JwtVerifier.Result result = verifier.verify(token);
        assertEquals(JwtVerifier.Status.EXPIRED, result.status(), token);
        assertFalse(result.ok());
        assertNull(result.identifiers());
    }

    // ---- valid tokens ----------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"HS256", "HS384", "HS512"})
    void hmacTokensAreValid(String alg) {
        assertValid(token(alg, claims(NOW + 3600)), EXT);
        assertValid(token(alg, "{\"ext\":" + EXT_CLAIM + "}"), EXT);
    }

    @Test
    void docsExampleShape() {
        // Ruby: JWT.encode({ext: identifiers.to_json, exp: exp}, ENCRYPTION_KEY, "HS256") — header {"alg":"HS256"}
        String token = token("{\"alg\":\"HS256\"}", "{\"ext\":\"{\\\"user_id\\\":42}\",\"exp\":" + (NOW + 300) + "}",
                "HS256", SECRET);
        assertValid(token, "{\"user_id\":42}");
    }

    @Test
    void identifiersComeBackVerbatim() {
        String ids = "{\"current_user\":\"gid://app/User/1\",\"url\":\"http://x/?a=1&b=\\u00e9\"}";
        String ext = "\"" + ids.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        assertValid(hs256("{\"ext\":" + ext + "}"), ids);
        assertValid(hs256("{\"ext\":\"\"}"), "");
    }

    @Test
    void otherClaimsAreIgnored() {
        assertValid(hs256("{\"sub\":\"1\",\"iat\":" + NOW + ",\"ext\":" + EXT_CLAIM + ",\"extra\":{\"a\":[1]}}"), EXT);
    }

    // ---- invalid tokens ----------------------------------------------------------------------------------

    @Test
    void badSignatureIsInvalid() {
        assertInvalid(token("{\"alg\":\"HS256\"}", claims(NOW + 60), "HS256", "other"));
        String good = hs256(claims(NOW + 60));
        String[] parts = good.split("\\.");
        // claims swapped after signing
        assertInvalid(parts[0] + "." + b64("{\"ext\":\"{\\\"user_id\\\":1}\"}") + "." + parts[2]);
        // signature truncated, extended, emptied
        assertInvalid(parts[0] + "." + parts[1] + "." + parts[2].substring(0, parts[2].length() - 2));
        assertInvalid(parts[0] + "." + parts[1] + "." + parts[2] + "AA");
        assertInvalid(parts[0] + "." + parts[1] + ".");
    }

    @Test
    void headerMustNameTheAlgorithmThatSigned() {
        // HS384-signed but the header says HS256
        assertInvalid(token("{\"alg\":\"HS256\"}", claims(NOW + 60), "HS384", SECRET));
    }

    @Test
    void algNoneIsInvalid() {
        String header = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}");
        assertInvalid(header + "." + b64(claims(NOW + 60)) + ".");
        // even with a signature that would match HS256
        assertInvalid(token("{\"alg\":\"none\"}", claims(NOW + 60), "HS256", SECRET));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"alg\":\"RS256\"}", "{\"alg\":\"ES256\"}", "{\"alg\":\"hs256\"}", "{\"alg\":\"\"}",
            "{\"typ\":\"JWT\"}", "{\"alg\":256}", "{\"alg\":null}", "{\"alg\":[\"HS256\"]}"})
    void otherAlgorithmsAreInvalid(String header) {
        // signed with HMAC-SHA256 and the right secret: only the header is wrong
        assertInvalid(token(header, claims(NOW + 60), "HS256", SECRET));
    }

    @Test
    void wrongNumberOfPartsIsInvalid() {
        String good = hs256(claims(NOW + 60));
        String[] parts = good.split("\\.");
        assertValid(good, EXT);
        assertInvalid(parts[0] + "." + parts[1]);
        assertInvalid(good + "." + parts[2]);
        assertInvalid(good + ".");
        assertInvalid(parts[0]);
        assertInvalid("");
        assertInvalid("..");
        assertInvalid("...");
    }

    @Test
    void nonBase64PartsAreInvalid() {
        String good = hs256(claims(NOW + 60));
        String[] parts = good.split("\\.");
        assertInvalid("*." + parts[1] + "." + parts[2]);
        assertInvalid(parts[0] + ".%%%." + parts[2]);
        assertInvalid(parts[0] + "." + parts[1] + ".***");
        // standard (not url-safe) base64 alphabet in the signature
        assertInvalid(parts[0] + "." + parts[1] + "." + parts[2].replace('-', '+').replace('_', '/') + "+/");
    }

    @ParameterizedTest
    @ValueSource(strings = {"not json", "", "[\"HS256\"]", "\"HS256\"", "{\"alg\":\"HS256\"} trailing",
            "{\"alg\":\"HS256\""})
    void headerThatIsNotAJsonObjectIsInvalid(String header) {
        assertInvalid(token(header, claims(NOW + 60), "HS256", SECRET));
    }

    @ParameterizedTest
    @ValueSource(strings = {"not json", "", "[1]", "\"claims\"", "{\"ext\":\"{}\"} {}"})
    void claimsThatAreNotAJsonObjectAreInvalid(String claims) {
        assertInvalid(token("{\"alg\":\"HS256\"}", claims, "HS256", SECRET));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}", "{\"exp\":1700000600}", "{\"ext\":{\"user_id\":42}}", "{\"ext\":42}",
            "{\"ext\":null}", "{\"ext\":true}", "{\"ext\":[\"{}\"]}", "{\"EXT\":\"{}\"}"})
    void extMustBeAString(String claims) {
        assertInvalid(hs256(claims));
    }

    // ---- exp -----------------------------------------------------------------------------------------------

    @Test
    void expInThePastIsExpired() {
        assertExpired(hs256(claims(NOW - 1)));
        assertExpired(hs256(claims(NOW - 86_400)));
        assertExpired(hs256(claims(0)));
    }

    @Test
    void expExactlyNowIsExpired() {
        assertExpired(hs256(claims(NOW)));
    }

    @Test
    void expInTheFutureIsValid() {
        assertValid(hs256(claims(NOW + 1)), EXT);
        clock.set(NOW * 1000 + 999);
        assertValid(hs256(claims(NOW + 1)), EXT);
        clock.set(NOW * 1000 + 1000);
        assertExpired(hs256(claims(NOW + 1)));
    }

    @Test
    void fractionalExpIsHonouredToTheMillisecond() {
        String token = hs256("{\"ext\":" + EXT_CLAIM + ",\"exp\":" + NOW + ".5}");
        clock.set(NOW * 1000 + 499);
        assertValid(token, EXT);
        clock.set(NOW * 1000 + 500);
        assertExpired(token);
    }

    @Test
    void expInExponentNotationIsANumber() {
        assertValid(hs256("{\"ext\":" + EXT_CLAIM + ",\"exp\":1.8e9}"), EXT);
        assertExpired(hs256("{\"ext\":" + EXT_CLAIM + ",\"exp\":1.6e9}"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"1800000000\"", "null", "true", "{}", "[1800000000]"})
    void expThatIsNotANumberIsInvalid(String exp) {
        assertInvalid(hs256("{\"ext\":" + EXT_CLAIM + ",\"exp\":" + exp + "}"));
    }

    @Test
    void theClockIsReadAtEachVerification() {
        String token = hs256(claims(NOW + 10));
        assertValid(token, EXT);
        clock.addAndGet(10_000);
        assertExpired(token);
    }

    @ParameterizedTest
    @CsvSource({"-1e16, EXPIRED", "-10000000000000000, EXPIRED", "1e16, VALID", "1e30, VALID"})
    void hugeExpDoesNotOverflow(String exp, JwtVerifier.Status expected) {
        JwtVerifier.Result result = verifier.verify(hs256("{\"ext\":" + EXT_CLAIM + ",\"exp\":" + exp + "}"));
        assertEquals(expected, result.status(), "exp " + exp);
    }

    // ---- nbf -----------------------------------------------------------------------------------------------

    @Test
    void beforeNbfTheTokenIsInvalidFromNbfOnItIsValid() {
        String token = hs256("{\"ext\":" + EXT_CLAIM + ",\"nbf\":" + (NOW + 10) + "}");
        JwtVerifier.Result early = verifier.verify(token);
        assertEquals(new JwtVerifier.Result(JwtVerifier.Status.INVALID, null, "not valid yet (nbf)"), early);
        clock.set((NOW + 10) * 1000 - 1);
        assertInvalid(token);
        clock.set((NOW + 10) * 1000);
        assertValid(token, EXT);
        assertValid(hs256("{\"ext\":" + EXT_CLAIM + ",\"nbf\":" + NOW + ",\"exp\":" + (NOW + 60) + "}"), EXT);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"0\"", "null", "true", "{}", "[0]"})
    void nbfThatIsNotANumberIsInvalid(String nbf) {
        assertInvalid(hs256("{\"ext\":" + EXT_CLAIM + ",\"nbf\":" + nbf + "}"));
    }

    @Test
    void hugeNbfDoesNotOverflow() {
        assertInvalid(hs256("{\"ext\":" + EXT_CLAIM + ",\"nbf\":1e30}"));
        assertValid(hs256("{\"ext\":" + EXT_CLAIM + ",\"nbf\":-1e30}"), EXT);
    }
}
