package dev.jcable.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.jcable.testsupport.RedisServer;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.net.URL;
import java.net.http.HttpResponse;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * jcable's readiness and liveness through the server's MicroProfile Health ({@code /health/ready}, {@code /health/live}
 * at the server's root) where the server carries it, UP and then DOWN while the node's Redis is stopped; where it does
 * not, a WAR that deploys and answers {@code /api/health/ready} as before. Which of the two the server is comes from
 * the Maven profile ({@code jcable.mp.health}), so the test cannot skip.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class MicroProfileHealthIT {

    private static final String CARRIED = System.getProperty("jcable.mp.health");
    /** Payara writes every data value as a string (its HealthCheckService calls toString()); the others keep numbers. */
    private static final boolean STRINGS = "payara-micro".equals(System.getProperty("arquillian.launch"));

    @RegisterExtension
    static final RedisServer.PerClass REDIS = new RedisServer.PerClass();

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Cable.war(Map.of("broker", "redis", "redis_url", REDIS.url()));
    }

    @ArquillianResource
    URL deployed;

    private static JsonObject json(String body) {
        return Json.createReader(new StringReader(body)).readObject();
    }

    private static String number(int value) {
        return STRINGS ? "\"" + value + "\"" : Integer.toString(value);
    }

    /** The server's answer at {@code path}: its HTTP status, and the check named jcable in it. */
    private static void assertCheck(Cable cable, String path, int status, String check) {
        HttpResponse<String> response = cable.get(path, null);
        assertEquals(status, response.statusCode(), response.body());
        JsonObject jcable = json(response.body()).getJsonArray("checks").stream().map(JsonValue::asJsonObject)
                .filter(each -> "jcable".equals(each.getString("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no jcable check in " + response.body()));
        assertEquals(json(check), jcable, response.body());
    }

    private static void awaitReadiness(Cable cable, int status) throws InterruptedException {
        long until = System.currentTimeMillis() + 15_000;
        HttpResponse<String> ready;
        while ((ready = cable.get("api/health/ready", null)).statusCode() != status) {
            if (System.currentTimeMillis() > until) {
                throw new AssertionError("/api/health/ready still answers " + ready.statusCode() + " " + ready.body());
            }
            Thread.sleep(50); // poll interval of the condition
        }
    }

    @Test
    void readinessIsUpThenDownWithItsReasonWhileRedisIsDownAndLivenessStaysUp() throws Exception {
        assertNotNull(CARRIED, "the Maven profile says whether the server carries MicroProfile Health (jcable.mp.health)");
        boolean carried = Boolean.parseBoolean(CARRIED);
        Cable cable = new Cable(deployed);
        awaitReadiness(cable, 200); // the node connects to Redis in the background after the deployment
        try (WsClient client = cable.connect()) {
            assertEquals("{\"status\":\"ready\",\"connections\":1}", cable.get("api/health/ready", null).body());
            if (carried) {
                assertCheck(cable, "/health/ready", 200, "{\"name\":\"jcable\",\"status\":\"UP\",\"data\":"
                        + "{\"status\":\"ready\",\"connections\":" + number(1) + "}}");
                assertCheck(cable, "/health/live", 200, "{\"name\":\"jcable\",\"status\":\"UP\",\"data\":{\"status\":\"alive\"}}");
            }
        }
        cable.awaitConnectionsAtMost(0);

        REDIS.server().stop();
        try {
            awaitReadiness(cable, 503);
            String reason = "the broker (Redis at " + REDIS.url() + ") does not answer";
            assertEquals("{\"status\":\"broker_down\",\"reason\":\"" + reason + "\",\"connections\":0}",
                    cable.get("api/health/ready", null).body());
            if (carried) {
                assertCheck(cable, "/health/ready", 503, "{\"name\":\"jcable\",\"status\":\"DOWN\",\"data\":"
                        + "{\"status\":\"broker_down\",\"reason\":\"" + reason + "\",\"connections\":" + number(0) + "}}");
                assertCheck(cable, "/health/live", 200, "{\"name\":\"jcable\",\"status\":\"UP\",\"data\":{\"status\":\"alive\"}}");
            }
        } finally {
            REDIS.server().start();
        }
        awaitReadiness(cable, 200);
    }
}
