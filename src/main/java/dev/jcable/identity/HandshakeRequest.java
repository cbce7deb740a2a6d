package dev.jcable.identity;

import dev.jcable.api.ConnectionRequest;
import dev.jcable.protocol.JsonText;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.security.Principal;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A handshake as the application's {@code ConnectionIdentifier} sees it; lives only while the connection opens.
 *
 * @param headers    request headers with lower-cased names
 * @param claimsJson the verified token's identifiers (JSON text), or null without a token
 * @param login      what the container's login showed of the handshake
 */
public record HandshakeRequest(String sid, Map<String, List<String>> headers, Map<String, List<String>> parameters,
                               String claimsJson, ContainerLogin login) implements ConnectionRequest {

    public HandshakeRequest(String sid, Map<String, List<String>> headers, Map<String, List<String>> parameters,
                            String claimsJson) {
        this(sid, headers, parameters, claimsJson, ContainerLogin.NONE);
    }

    /** What the handshake showed, before the connection's sid and claims are known. */
    public record Parts(Map<String, List<String>> headers, Map<String, List<String>> parameters,
                        ContainerLogin login) {
        public Parts(Map<String, List<String>> headers, Map<String, List<String>> parameters) {
            this(headers, parameters, ContainerLogin.NONE);
        }

        public HandshakeRequest request(String sid, String claimsJson) {
            return new HandshakeRequest(sid, headers, parameters, claimsJson, login);
        }
    }

    @Override
    public Optional<Principal> principal() {
        return Optional.ofNullable(login.principal());
    }

    @Override
    public boolean isUserInRole(String role) {
        return login.roles().contains(role);
    }

    @Override
    public Object sessionAttribute(String name) {
        return login.sessionAttributes().get(name);
    }

    @Override
    public String header(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** Cookies from every {@code Cookie} header ({@code a=1; b=2}); a value in double quotes loses them. */
    @Override
    public String cookie(String name) {
        for (String header : headers.getOrDefault("cookie", List.of())) {
            for (String pair : header.split(";")) {
                int eq = pair.indexOf('=');
                if (eq > 0 && pair.substring(0, eq).trim().equals(name)) {
                    String value = pair.substring(eq + 1).trim();
                    return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                            ? value.substring(1, value.length() - 1) : value;
                }
            }
        }
        return null;
    }

    @Override
    public String parameter(String name) {
        List<String> values = parameters.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    @Override
    public Optional<JsonObject> claims() {
        if (claimsJson == null) {
            return Optional.empty();
        }
        try {
            JsonValue value = JsonText.parse(claimsJson);
            return value.getValueType() == JsonValue.ValueType.OBJECT ? Optional.of(value.asJsonObject())
                    : Optional.empty();
        } catch (JsonException e) {
            return Optional.empty();
        }
    }
}
