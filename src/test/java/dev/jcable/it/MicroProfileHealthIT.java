package dev.jcable.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.net.URL;
import java.net.http.HttpResponse;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * jcable's readiness and liveness through the server's MicroProfile Health ({@code /health/ready}, {@code /health/live}
 * at the server's root) where the server carries it, and a WAR that deploys and answers as before where it does not.
 * Which of the two the server is comes from the Maven profile ({@code jcable.mp.health}), so the test cannot skip.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class MicroProfileHealthIT {

    private static final String CARRIED = System.getProperty("jcable.mp.health");

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Cable.war();
    }

    @ArquillianResource
    URL deployed;

    private static JsonObject json(String body) {
        return Json.createReader(new StringReader(body)).readObject();
    }

    /** The check named jcable in a MicroProfile Health answer. */
    private static JsonObject jcableCheck(HttpResponse<String> response) {
        return json(response.body()).getJsonArray("checks").stream().map(JsonValue::asJsonObject)
                .filter(check -> "jcable".equals(check.getString("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no jcable check in " + response.body()));
    }

    @Test
    void readinessAndLivenessAreTheServersHealthChecksWhereItHasThem() {
        assertNotNull(CARRIED, "the Maven profile says whether the server carries MicroProfile Health (jcable.mp.health)");
        Cable cable = new Cable(deployed);
        try (WsClient client = cable.connect()) {
            HttpResponse<String> own = cable.get("api/health/ready", null);
            assertEquals(200, own.statusCode(), own.body());
            assertEquals("{\"status\":\"ready\",\"connections\":1}", own.body());
            if (!Boolean.parseBoolean(CARRIED)) {
                return; // WildFly's standalone.xml: the checks' class is skipped, the rest of the WAR works
            }
            HttpResponse<String> ready = cable.get("/health/ready", null);
            assertEquals(200, ready.statusCode(), ready.body());
            // Payara writes every data value as a string (its HealthCheckService calls toString()); the others keep numbers
            String connections = "payara-micro".equals(System.getProperty("arquillian.launch")) ? "\"1\"" : "1";
            assertEquals(json("{\"name\":\"jcable\",\"status\":\"UP\",\"data\":{\"status\":\"ready\",\"connections\":"
                    + connections + "}}"), jcableCheck(ready));
            HttpResponse<String> live = cable.get("/health/live", null);
            assertEquals(200, live.statusCode(), live.body());
            assertEquals(json("{\"name\":\"jcable\",\"status\":\"UP\",\"data\":{\"status\":\"alive\"}}"),
                    jcableCheck(live));
        }
    }
}
