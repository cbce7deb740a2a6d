package dev.jcable.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The Rails MessageVerifier vectors of the protocol doc, section 3.2 (secret {@code s3Krit}). */
class MessageVerifierTest {

    static final String SECRET = "s3Krit";
    static final String CHAT_2021 =
            "ImNoYXQ6MjAyMSI=--f9ee45dbccb1da04d8ceb99cc820207804370ba0d06b46fc3b8b373af1315628";
    static final String CHAT_2023 =
            "ImNoYXQvMjAyMyI=--2b2e054b6413bf3bc7e8bbad2f68962aa2ba19821800ccbd8de6fd7314e8320c";
    static final String ARRAY =
            "WyJjaGF0LzIwMjMiLDE2ODUwMjQwMTdd--5b6661024d4c463c4936cd1542bc9a7672dd8039ac407d0b6c901697190e8aeb";

    private final MessageVerifier verifier = new MessageVerifier(SECRET);

    private static String string(Optional<JsonValue> value) {
        assertTrue(value.isPresent(), "expected a verified value");
        assertEquals(JsonValue.ValueType.STRING, value.get().getValueType());
        return ((JsonString) value.get()).getString();
    }

    @Test
    void vector1VerifiesToChat2021() {
        assertEquals("chat:2021", string(verifier.verify(CHAT_2021)));
    }

    @Test
    void vector2VerifiesWithSecretOnly() {
        assertEquals("chat/2023", string(verifier.verify(CHAT_2023)));
        assertEquals(Optional.empty(), new MessageVerifier("").verify(CHAT_2023));
        assertEquals(Optional.empty(), new MessageVerifier(null).verify(CHAT_2023));
    }

    @Test
    void vector3VerifiesToAnArray() {
        JsonValue value = verifier.verify(ARRAY).orElseThrow();
        assertEquals(JsonValue.ValueType.ARRAY, value.getValueType());
        assertEquals("chat/2023", value.asJsonArray().getString(0));
        assertEquals(1685024017L, value.asJsonArray().getJsonNumber(1).longValueExact());
    }

    @Test
    void tamperedDigestIsRejected() {
        String tampered = CHAT_2021.substring(0, CHAT_2021.length() - 1) + "9";
        assertEquals(Optional.empty(), verifier.verify(tampered));
        int at = CHAT_2021.indexOf("--");
        String upperHex = CHAT_2021.substring(0, at) + CHAT_2021.substring(at).toUpperCase();
        assertEquals(Optional.empty(), verifier.verify(upperHex));
    }

    @Test
    void tamperedPayloadIsRejected() {
        // the chat/2023 payload under the chat:2021 digest
        String swapped = "ImNoYXQvMjAyMyI=" + CHAT_2021.substring(CHAT_2021.indexOf("--"));
        assertEquals(Optional.empty(), verifier.verify(swapped));
    }

    @Test
    void wrongSecretIsRejected() {
        assertEquals(Optional.empty(), new MessageVerifier("s3krit").verify(CHAT_2021));
    }

    @Test
    void malformedSignedNamesAreRejected() {
        assertEquals(Optional.empty(), verifier.verify(CHAT_2021.replace("--", "")));
        assertEquals(Optional.empty(), verifier.verify(CHAT_2021 + "--"));
        assertEquals(Optional.empty(), verifier.verify(CHAT_2021 + "--extra"));
        assertEquals(Optional.empty(), verifier.verify("--" + CHAT_2021.substring(CHAT_2021.indexOf("--") + 2)));
        assertEquals(Optional.empty(), verifier.verify(""));
        assertEquals(Optional.empty(), verifier.verify(null));
    }

    @Test
    void validSignatureOverBadBase64IsRejected() {
        // hex(HMAC-SHA256("s3Krit", "!!!!")), computed with openssl
        String signed = "!!!!--a999c9a6a0f020846a112b5b78f777983eb1f6a08a02620fa3d550fe177cdac6";
        assertEquals(Optional.empty(), verifier.verify(signed));
    }

    @Test
    void validSignatureOverNonJsonIsRejected() {
        // base64("not json") signed with s3Krit (openssl)
        String signed = "bm90IGpzb24=--8e84d0d5ae8627ed2a71102d2eb0777c1958b0bab026b5cf488c2c6cda476382";
        assertEquals(Optional.empty(), verifier.verify(signed));
    }

    @Test
    void signReproducesVector1() {
        assertEquals(CHAT_2021, verifier.sign("\"chat:2021\""));
        assertEquals(ARRAY, verifier.sign("[\"chat/2023\",1685024017]"));
    }

    @Test
    void signRoundTrips() {
        String signed = verifier.sign("\"caf\u00e9 \\\"quoted\\\" \u2603\"");
        assertEquals("caf\u00e9 \"quoted\" \u2603", string(verifier.verify(signed)));
        assertEquals(Optional.empty(), new MessageVerifier("other").verify(signed));
    }

    @Test
    void signWithoutSecretFails() {
        assertThrows(IllegalStateException.class, () -> new MessageVerifier("").sign("\"x\""));
    }

    @Test
    void deriveMatchesAnyCableKeys() {
        assertEquals("fc20575eaa046c555be789f7a9df5111d64eb17e4956597597c3220c1ad14739",
                MessageVerifier.derive("secret", "broadcast-cable"));
        assertEquals("34fc66511bfadc564d321c133052f6d70cd9f768ca65d0186fbf51b5c16ed3aa",
                MessageVerifier.derive("secret", "api-cable"));
    }
}
