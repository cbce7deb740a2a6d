package dev.jcable.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jcable.config.Option;
import dev.jcable.node.NodeHarness;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Readiness and liveness through a real node: ready while it runs, 503 with the reason once it drains. */
class HealthResourceTest {

    @Test
    void aRunningNodeIsReadyAndALiveOne() {
        try (NodeHarness harness = new NodeHarness(Map.of(Option.PING_INTERVAL, "0"))) {
            HealthResource.Answer ready = HealthResource.readiness(harness.node);
            assertEquals(200, ready.status());
            assertEquals("{\"status\":\"ready\",\"connections\":0}", ready.body());
        }
    }

    @Test
    void aDrainingNodeIsNotReadyButStillAlive() {
        try (NodeHarness harness = new NodeHarness(Map.of(Option.PING_INTERVAL, "0"))) {
            harness.node.shutdown(); // what the drain filter does when the application goes down
            HealthResource.Answer ready = HealthResource.readiness(harness.node);
            assertEquals(503, ready.status());
            assertEquals("{\"status\":\"draining\",\"reason\":\"the node is shutting down; its clients are told "
                    + "server_restart\",\"connections\":0}", ready.body());
            assertEquals("{\"status\":\"alive\"}", HealthResource.LIVE);
        }
    }
}
