package dev.jcable.it;

import dev.jcable.testsupport.Signing;
import java.io.File;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/**
 * What the integration tests share: the real WAR, the deployed server's addresses, signing and HTTP helpers.
 * Signing is done here independently of the product's verifier, with the test server's secret.
 */
public final class Cable {

    public static final String SECRET = "s3Krit";
    /** hex(HMAC-SHA256("s3Krit", "broadcast-cable")) and …("api-cable"): AnyCable's derived keys. */
    public static final String BROADCAST_KEY = Signing.broadcastKey(SECRET);
    public static final String API_KEY = Signing.apiKey(SECRET);
    /** hex(HMAC-SHA256("s3Krit", "presence-webhook-cable")): the presence webhook's derived key. */
    public static final String WEBHOOK_SECRET = Signing.webhookSecret(SECRET);

    /**
     * HTTP/1.1, as browsers speak it to an http:// URL: the JDK client's default offers an h2c upgrade, and Open
     * Liberty 26 hangs on that upgrade for a request it forwards (GET / to the welcome file) on a fresh connection.
     */
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private final URI http;

    public Cable(URL deployed) {
        // Payara reports the machine's outside address; the tests stay on loopback
        this.http = URI.create("http://localhost:" + deployed.getPort() + "/");
    }

    public static WebArchive war() {
        return ShrinkWrap.createFromZipFile(WebArchive.class, new File(System.getProperty("jcable.war", "target/jcable.war")));
    }

    /**
     * The real WAR with some packaged defaults (web.xml env-entries, the last configuration source) changed: for a
     * deployment on the suite's server that needs settings the server's own configuration does not give, such as
     * {@code broker=redis} with a test Redis.
     */
    public static WebArchive war(java.util.Map<String, String> defaults) {
        WebArchive war = war();
        String webXml;
        try (java.io.InputStream in = war.get("WEB-INF/web.xml").getAsset().openStream()) {
            webXml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        for (java.util.Map.Entry<String, String> option : defaults.entrySet()) {
            java.util.regex.Matcher entry = java.util.regex.Pattern.compile("(<env-entry-name>anycable/"
                    + java.util.regex.Pattern.quote(option.getKey())
                    + "</env-entry-name>\\s*<env-entry-type>[^<]*</env-entry-type>\\s*<env-entry-value>)[^<]*(<)")
                    .matcher(webXml);
            if (!entry.find()) {
                throw new IllegalStateException("web.xml has no packaged default for " + option.getKey());
            }
            webXml = entry.replaceFirst("$1" + java.util.regex.Matcher.quoteReplacement(option.getValue()) + "$2");
        }
        return war.setWebXML(new org.jboss.shrinkwrap.api.asset.StringAsset(webXml));
    }

    public URI http() {
        return http;
    }

    public URI ws(String query) {
        return URI.create("ws://localhost:" + http.getPort() + "/cable" + (query == null ? "" : "?" + query));
    }

    public WsClient connect(String... protocols) {
        return WsClient.connect(ws(null), protocols);
    }

    /** A unique stream name per test, so tests never see each other's traffic. */
    public static String stream(String prefix) {
        return prefix + ":" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Rails MessageVerifier: base64(JSON string) + "--" + hex(HMAC-SHA256(secret, base64)). */
    public static String sign(String stream) {
        return Signing.sign(SECRET, stream);
    }

    /** The identifier the JS client builds for {@code cable.streamFromSigned(…)} (keys sorted). */
    public static String signedIdentifier(String stream) {
        return "{\"channel\":\"$pubsub\",\"signed_stream_name\":\"" + sign(stream) + "\"}";
    }

    public static String publicIdentifier(String stream) {
        return "{\"channel\":\"$pubsub\",\"stream_name\":\"" + stream + "\"}";
    }

    /** {@code identifier} as a JSON string literal, as it appears inside frames. */
    public static String quoted(String identifier) {
        return "\"" + identifier.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    public static String subscribe(String identifier) {
        return "{\"command\":\"subscribe\",\"identifier\":" + quoted(identifier) + "}";
    }

    public static String confirm(String identifier) {
        return "{\"type\":\"confirm_subscription\",\"identifier\":" + quoted(identifier) + "}";
    }

    public static String reject(String identifier) {
        return "{\"type\":\"reject_subscription\",\"identifier\":" + quoted(identifier) + "}";
    }

    public static String command(String command, String identifier, String extra) {
        return "{\"command\":\"" + command + "\",\"identifier\":" + quoted(identifier)
                + (extra == null ? "" : "," + extra) + "}";
    }

    public static String presenceFrame(String identifier, String message) {
        return "{\"type\":\"presence\",\"identifier\":" + quoted(identifier) + ",\"message\":" + message + "}";
    }

    public static String messageFrame(String identifier, String message) {
        return "{\"identifier\":" + quoted(identifier) + ",\"message\":" + message + "}";
    }

    /** A durable delivery: where the message sits in its stream's history comes after it. */
    public static String durableFrame(String identifier, String message, String stream, String epoch, long offset) {
        return "{\"identifier\":" + quoted(identifier) + ",\"message\":" + message + ",\"stream_id\":" + quoted(stream)
                + ",\"epoch\":\"" + epoch + "\",\"offset\":" + offset + "}";
    }

    /** The epoch a durable frame carries (the broker's; new at every start). */
    public static String epochOf(String frame) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"epoch\":\"([0-9A-Za-z]{6})\"").matcher(frame);
        if (!m.find()) {
            throw new AssertionError("no epoch in " + frame);
        }
        return m.group(1);
    }

    /** Subscribes and checks the confirmation. */
    public static void subscribed(WsClient client, String identifier) {
        client.send(subscribe(identifier));
        client.expect(confirm(identifier));
    }

    public HttpResponse<String> post(String path, String authorization, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(http.resolve(path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return send(request.build());
    }

    public HttpResponse<String> get(String path, String authorization) {
        HttpRequest.Builder request = HttpRequest.newBuilder(http.resolve(path)).GET();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return send(request.build());
    }

    /** Open connections as the server counts them ({@code /api/health}). */
    public int connections() {
        String body = get("api/health", null).body();
        return Integer.parseInt(body.replaceAll(".*\"connections\":(\\d+).*", "$1"));
    }

    /** Waits (at most 10 s) until the server counts at most {@code max} open connections. */
    public void awaitConnectionsAtMost(int max) {
        awaitConnectionsAtMost(max, 10_000);
    }

    public void awaitConnectionsAtMost(int max, long withinMillis) {
        long until = System.currentTimeMillis() + withinMillis;
        int now;
        while ((now = connections()) > max) {
            if (System.currentTimeMillis() > until) {
                throw new AssertionError("the server still counts " + now + " connections, expected at most " + max);
            }
            try {
                Thread.sleep(20); // poll interval of the condition, not a guess at timing
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    /**
     * Waits (at most 30 s) until {@code /api/health} answers 200: with {@code broker=redis} a node reports its broker
     * down until it has connected, which it does in the background after the deployment.
     */
    public Cable awaitHealthy() {
        long until = System.currentTimeMillis() + 30_000;
        HttpResponse<String> health;
        while ((health = get("api/health", null)).statusCode() != 200) {
            if (System.currentTimeMillis() > until) {
                throw new AssertionError(http + " is not healthy: " + health.statusCode() + " " + health.body());
            }
            try {
                Thread.sleep(50); // poll interval of the condition, not a guess at timing
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
        return this;
    }

    public HttpResponse<String> broadcast(String body) {
        return post("_broadcast", "Bearer " + BROADCAST_KEY, body);
    }

    private static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError(request.uri() + ": " + e, e);
        }
    }

    /** An AnyCable connection token: HS256 over {"ext":"<identifiers JSON>","exp":…}. */
    public static String jwt(String secret, String identifiers, Long expSeconds) {
        return Signing.jwt(secret, identifiers, expSeconds);
    }

    public static String b64url(String text) {
        return Signing.b64url(text);
    }
}
