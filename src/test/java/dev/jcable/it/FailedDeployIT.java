package dev.jcable.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jcable.it.app.SecondIdentifier;
import dev.jcable.it.app.TestIdentifier;
import dev.jcable.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.URL;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.OperateOnDeployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A {@code broker=redis} deployment that fails (two {@code ConnectionIdentifier}s) leaves no Redis connection and no
 * thread behind, and neither does a good deployment's undeploy after it: Redis' {@code CLIENT LIST} ends with only
 * the test's own connection, and {@link ThreadProbe} finds nothing of jcable's. That is the proof on WildFly and Open
 * Liberty. On Payara Micro the adapter runs each deployment in a JVM of its own and does not report a failed one, so
 * here only the {@code CLIENT LIST} counts (the thread probe is skipped); {@link PayaraRedeployIT} proves the same
 * there, and a deployment that fails after the node connected, in one running Payara JVM.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FailedDeployIT {

    private static final String BROKEN = "jcable-broken";
    private static final String GOOD = "jcable-good";
    private static final String PROBE = "probe";
    @RegisterExtension
    static final RedisServer.PerClass REDIS = new RedisServer.PerClass();
    private static URL server;

    private static Map<String, String> redis() {
        return Map.of("broker", "redis", "redis_url", REDIS.url(), "presence_webhook_url", "http://127.0.0.1:9/hook");
    }

    @Deployment(name = BROKEN, managed = false, testable = false)
    static WebArchive broken() {
        // an archive name of its own: Arquillian refuses two deployments of one name (jcable.war)
        return org.jboss.shrinkwrap.api.ShrinkWrap.create(WebArchive.class, "jcable-broken.war")
                .merge(Cable.war(redis())).addClasses(TestIdentifier.class, SecondIdentifier.class);
    }

    @Deployment(name = GOOD, managed = false, testable = false)
    static WebArchive good() {
        return Cable.war(redis());
    }

    @Deployment(name = PROBE, managed = false, testable = false)
    static WebArchive probe() {
        return ThreadProbe.war();
    }

    @ArquillianResource
    Deployer deployer;

    @Test
    @Order(1)
    void aDeploymentWithTwoConnectionIdentifiersFails() {
        if ("payara-micro".equals(System.getProperty("arquillian.launch"))) {
            // Payara Micro's adapter starts a JVM for the WAR and does not report that its application failed to
            // start; what it left running (a Redis client) is still what noRedisConnectionIsLeft looks for
            try {
                deployer.deploy(BROKEN);
            } catch (RuntimeException reported) {
                return;
            }
            return;
        }
        assertThrows(Exception.class, () -> deployer.deploy(BROKEN));
    }

    @Test
    @Order(2)
    void aGoodDeploymentConnectsAndIsUndeployed() {
        deployer.deploy(GOOD);
    }

    @Test
    @Order(3)
    void itWorks(@ArquillianResource @OperateOnDeployment(GOOD) URL url) {
        server = url;
        new Cable(url).awaitHealthy(); // connected: a client the failed deployment left would be by now too
        deployer.undeploy(GOOD);
    }

    @Test
    @Order(4)
    void noRedisConnectionIsLeft() throws Exception {
        RedisClient sdk = RedisClient.create(REDIS.url());
        try (StatefulRedisConnection<String, String> connection = sdk.connect()) {
            long until = System.currentTimeMillis() + 30_000;
            List<String> others;
            while (!(others = others(connection)).isEmpty() && System.currentTimeMillis() < until) {
                Thread.sleep(50); // poll interval of the condition: the server sees a closed connection go
            }
            assertEquals(List.of(), others, "Redis connections left by the failed deployment or the undeploy");
        } finally {
            sdk.shutdown();
        }
    }

    @Test
    @Order(5)
    void noThreadIsLeft() throws Exception {
        ThreadProbe.assertNoThreadLeft(deployer, PROBE, server.toURI());
    }

    /** Every client of the Redis server but this connection. */
    private static List<String> others(StatefulRedisConnection<String, String> connection) {
        long self = connection.sync().clientId();
        return Arrays.stream(connection.sync().clientList().split("\n")).map(String::trim)
                .filter(line -> !line.isEmpty() && !line.startsWith("id=" + self + " ")).toList();
    }
}
