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
        try (PayaraProcess payara = new PayaraProcess("anycable.secret=" + secret, "anycable.presence_ttl=2.5").awaitReady()) {
            String log = payara.log();
            assertTrue(log.contains("presence_ttl=2500ms (system property anycable.*)"), log);
            assertTrue(log.contains("secret=<set> (system property anycable.*)"), log);
            assertTrue(log.contains("broker=memory (web.xml)"), log);
            assertFalse(log.contains(secret), "the secret must never be logged");

            URI cable = URI.create("ws://localhost:" + payara.port() + "/cable");
            try (WsClient ext = WsClient.connect(cable, WsClient.EXT);
                 WsClient plain = WsClient.connect(cable, WsClient.PLAIN)) {
                payara.terminate();
                for (WsClient client : new WsClient[] {ext, plain}) {
                    client.expect("{\"type\":\"disconnect\",\"reason\":\"server_restart\",\"reconnect\":true}");
                    assertEquals("1001 Server restart", client.awaitClose());
                }
            }
        }
    }
}
