package dev.jcable.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.config.Option;
import dev.jcable.node.NodeHarness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse.Status;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

/** The MicroProfile Health checks answer what {@code /api/health/ready} and {@code /live} answer, from a real node. */
class HealthChecksTest {

    static HealthChecks checks(NodeHarness harness) {
        HealthChecks checks = new HealthChecks();
        checks.node = harness.node;
        return checks;
    }

    /** Name, status and data, comparable with {@code assertEquals}. */
    static String answer(HealthCheckResponse response) {
        return response.getName() + " " + response.getStatus() + " " + response.getData().orElse(null);
    }

    @Test
    void aRunningNodeIsUpWithItsConnections() throws Exception {
        try (NodeHarness harness = new NodeHarness(Map.of(Option.PING_INTERVAL, "0"))) {
            harness.open("actioncable-v1-ext-json"); // one client connected
            HealthCheckResponse ready = checks(harness).call();
            assertEquals("jcable", ready.getName());
            assertEquals(Status.UP, ready.getStatus());
            assertEquals(Optional.of(Map.of("status", "ready", "connections", 1L)), ready.getData());
        }
    }

    @Test
    void aDrainingNodeIsDownWithTheReasonButStillLive() {
        try (NodeHarness harness = new NodeHarness(Map.of(Option.PING_INTERVAL, "0"))) {
            HealthChecks checks = checks(harness);
            harness.node.shutdown(); // what the drain filter does when the application goes down
            assertEquals("jcable DOWN {status=draining, reason=the node is shutting down; its clients are told "
                    + "server_restart, connections=0}", answer(checks.call()));
            assertEquals("jcable UP {status=alive}", answer(checks.liveness().call()));
        }
    }

    /** The class CDI must not load where the API is missing is this one, and the API is the one it implements. */
    @Test
    void beansXmlLeavesTheChecksOutExactlyWhereTheirApiIsMissing() throws Exception {
        String beans = Files.readString(Path.of("src/main/webapp/WEB-INF/beans.xml"));
        assertTrue(beans.replaceAll("\\s+", " ").contains("<exclude name=\"" + HealthChecks.class.getName()
                + "\"> <if-class-not-available name=\"" + HealthCheck.class.getName() + "\"/> </exclude>"), beans);
    }
}
