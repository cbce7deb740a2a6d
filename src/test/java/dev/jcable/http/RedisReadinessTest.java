package dev.jcable.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.config.Option;
import dev.jcable.node.NodeHarness;
import dev.jcable.testsupport.RedisServer;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * In cluster mode a node is not ready while its Redis is down, and ready again once it is back: {@code /api/health/ready}
 * and the MicroProfile Health check alike.
 */
class RedisReadinessTest {

    @RegisterExtension
    static final RedisServer.PerClass REDIS = new RedisServer.PerClass();

    private static boolean await(BooleanSupplier condition, long seconds) throws InterruptedException {
        long until = System.nanoTime() + seconds * 1_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > until) {
                return false;
            }
            Thread.sleep(20); // poll interval of the condition
        }
        return true;
    }

    @Test
    void readinessFollowsRedis() throws Exception {
        try (NodeHarness harness = new NodeHarness(Map.of(Option.BROKER, "redis", Option.REDIS_URL, REDIS.url(),
                Option.REDIS_PREFIX, "ready", Option.PING_INTERVAL, "0", Option.PRESENCE_TTL, "1"))) {
            assertEquals(200, HealthResource.readiness(harness.node).status());

            REDIS.server().stop();
            assertTrue(await(() -> HealthResource.readiness(harness.node).status() == 503, 10), "not ready while Redis is down");
            HealthResource.Answer down = HealthResource.readiness(harness.node);
            assertEquals("{\"status\":\"broker_down\",\"reason\":\"the broker (Redis at " + REDIS.url()
                    + ") does not answer\",\"connections\":0}", down.body());
            assertEquals("jcable DOWN {status=broker_down, reason=the broker (Redis at " + REDIS.url()
                    + ") does not answer, connections=0}", HealthChecksTest.answer(HealthChecksTest.checks(harness).call()));

            REDIS.server().start();
            assertTrue(await(() -> HealthResource.readiness(harness.node).status() == 200, 15), "ready again");
            assertEquals("{\"status\":\"ready\",\"connections\":0}", HealthResource.readiness(harness.node).body());
        }
    }
}
