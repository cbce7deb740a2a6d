package dev.jcable.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** Start-up and shutdown of the real WAR in a Payara Micro process of the test's own. */
class ServerLifecycleIT {

    @Test
    void aBadValueFailsTheDeploymentWithAMessageNamingTheOption() throws Exception {
        try (PayaraProcess payara = new PayaraProcess("anycable.presence_ttl=abc").awaitReady()) {
            String log = payara.log();
            assertTrue(log.contains("jcable: invalid value 'abc' for option 'presence_ttl' (from system property anycable.*)"
                    + ": must be a number of seconds"), log);
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://localhost:" + payara.port() + "/api/presence/x/users")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertTrue(log.contains("Exception while loading the app"), log);
            // jcable would answer 401 with its JSON body; the failed context answers with Payara's own error
            assertTrue(response.statusCode() != 401 && !response.body().contains("\"error\""),
                    response.statusCode() + " " + response.body());
        }
    }

    @Test
    void shutdownTellsEveryConnectionServerRestartAndLogsTheConfigurationWithoutSecrets() throws Exception {
        String secret = "very-secret-value-42";
        try (PayaraProcess payara = new PayaraProcess("anycable.secret=" + secret, "anycable.presence_ttl=2.5",
                "anycable.enforce_jwt=true", "anycable.jwt_param=token").awaitReady()) {
            String log = payara.log();
            assertTrue(log.contains("presence_ttl=2500ms (system property anycable.*)"), log);
            assertTrue(log.contains("secret=<set> (system property anycable.*)"), log);
            assertTrue(log.contains("broker=memory (web.xml)"), log);
            assertFalse(log.contains(secret), "the secret must never be logged");
            assertTrue(log.contains("demo=false (web.xml)"), log);

            // the demo is off by default: its page, assets and endpoints are not there; everything else is
            HttpClient http = HttpClient.newHttpClient();
            URI root = URI.create("http://localhost:" + payara.port() + "/");
            for (String path : new String[] {"", "index.html", "demo/demo.js", "demo/vendor/anycable.js",
                    "demo-api/rooms/lobby/stream"}) {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(root.resolve(path)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(404, response.statusCode(), "/" + path + " with demo off: " + response.body());
                assertFalse(response.body().contains("jcable"), "/" + path + ": " + response.body());
            }
            assertEquals(200, http.send(HttpRequest.newBuilder(root.resolve("api/health")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());

            // enforce_jwt with jwt_param=token: no token, no connection; ?token= and X-Token are read
            URI cable = URI.create("ws://localhost:" + payara.port() + "/cable");
            try (WsClient anonymous = WsClient.attempt(cable, java.util.Map.of())) {
                anonymous.expect("{\"type\":\"disconnect\",\"reason\":\"unauthorized\",\"reconnect\":false}");
                assertEquals("1000 Auth Failed", anonymous.awaitClose());
            }
            String token = Cable.jwt(secret, "{\"user\":\"ops\"}", null);
            try (WsClient ext = WsClient.connect(URI.create(cable + "?token=" + token), WsClient.EXT);
                 WsClient plain = WsClient.connect(cable, java.util.Map.of("X-Token", token), WsClient.PLAIN)) {
                payara.terminate();
                for (WsClient client : new WsClient[] {ext, plain}) {
                    client.expect("{\"type\":\"disconnect\",\"reason\":\"server_restart\",\"reconnect\":true}");
                    assertEquals("1001 Server restart", client.awaitClose());
                }
            }
        }
    }
}
