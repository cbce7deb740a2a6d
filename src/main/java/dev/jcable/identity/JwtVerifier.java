package dev.jcable.identity;

import dev.jcable.protocol.JsonText;
import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Map;
import java.util.function.LongSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies AnyCable connection tokens: a compact JWS signed with HMAC ({@code HS256}, {@code HS384} or
 * {@code HS512}, nothing else), whose {@code ext} claim is a string holding the JSON connection identifiers and
 * whose optional {@code exp} and {@code nbf} are honoured to the millisecond with no leeway (RFC 7519: not accepted
 * at or after {@code exp}, nor before {@code nbf}); a token used before its {@code nbf} is invalid, not expired, as
 * anycable-go answers it ({@code unauthorized}). The JDK's HMAC is all this needs.
 */
public final class JwtVerifier {

    private static final Map<String, String> ALGORITHMS =
            Map.of("HS256", "HmacSHA256", "HS384", "HmacSHA384", "HS512", "HmacSHA512");

    /** The outcome: identifiers on success, else why not. */
    public record Result(Status status, String identifiers, String detail) {
        public boolean ok() {
            return status == Status.VALID;
        }
    }

    public enum Status { VALID, INVALID, EXPIRED }

    private final byte[] secret;
    private final LongSupplier clockMillis;

    public JwtVerifier(String secret, LongSupplier clockMillis) {
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
        this.clockMillis = clockMillis;
    }

    public Result verify(String token) {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            return invalid("not a compact JWS");
        }
        JsonObject header = json(parts[0]);
        JsonObject claims = json(parts[1]);
        if (header == null || claims == null) {
            return invalid("header or claims are not base64url JSON");
        }
        String algorithm = header.get("alg") instanceof JsonString alg ? ALGORITHMS.get(alg.getString()) : null;
        if (algorithm == null) {
            return invalid("algorithm must be HS256, HS384 or HS512");
        }
        byte[] signature;
        try {
            signature = Base64.getUrlDecoder().decode(parts[2]);
        } catch (IllegalArgumentException e) {
            return invalid("signature is not base64url");
        }
        if (!MessageDigest.isEqual(hmac(algorithm, parts[0] + "." + parts[1]), signature)) {
            return invalid("bad signature");
        }
        BigDecimal now = BigDecimal.valueOf(clockMillis.getAsLong());
        JsonValue exp = claims.get("exp");
        if (exp != null) {
            if (!(exp instanceof JsonNumber seconds)) {
                return invalid("exp is not a number");
            }
            // compared as decimals: a huge exp must not wrap around a long
            if (now.compareTo(seconds.bigDecimalValue().movePointRight(3)) >= 0) {
                return new Result(Status.EXPIRED, null, "expired");
            }
        }
        JsonValue nbf = claims.get("nbf");
        if (nbf != null) {
            if (!(nbf instanceof JsonNumber seconds)) {
                return invalid("nbf is not a number");
            }
            if (now.compareTo(seconds.bigDecimalValue().movePointRight(3)) < 0) {
                return invalid("not valid yet (nbf)");
            }
        }
        if (!(claims.get("ext") instanceof JsonString ext)) {
            return invalid("ext claim (the connection identifiers as a JSON string) is missing");
        }
        return new Result(Status.VALID, ext.getString(), null);
    }

    private static Result invalid(String detail) {
        return new Result(Status.INVALID, null, detail);
    }

    private byte[] hmac(String algorithm, String signingInput) {
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(secret, algorithm));
            return mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(algorithm + " unavailable", e);
        }
    }

    private static JsonObject json(String part) {
        try {
            JsonValue value = JsonText.parse(new String(Base64.getUrlDecoder().decode(part), StandardCharsets.UTF_8));
            return value.getValueType() == JsonValue.ValueType.OBJECT ? value.asJsonObject() : null;
        } catch (IllegalArgumentException | JsonException e) {
            return null;
        }
    }
}
