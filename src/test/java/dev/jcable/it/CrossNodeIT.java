package dev.jcable.it;

import static dev.jcable.it.Cable.stream;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jcable.bench.Server;
import dev.jcable.testsupport.RedisServer;
import java.net.URL;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.OperateOnDeployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The cluster's two core promises, and a Pusher presence channel over both nodes, on WildFly and Open Liberty
 * (ClusterIT covers them, and more, on Payara Micro): node A is the suite's server, with the real WAR told
 * {@code broker=redis} and Pusher mode through its packaged defaults; node B is a second process of the same server,
 * with the same WAR and the same settings as system properties, on free ports (never the suite's fixed 8180/10090 or
 * 9080). Both use one real redis-server started by the test.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CrossNodeIT {

    private static final String NODE_A = "node-a";
    @RegisterExtension
    static final RedisServer.PerClass REDIS = new RedisServer.PerClass();
    /** Both nodes are in Pusher mode and POST their Pusher webhooks here. */
    private static final PusherHooks PUSHER_HOOKS = pusherHooks();
    private static CompletableFuture<Server> starting;
    private static Server nodeB;
    private static Cable a;
    private static Cable b;

    /** Deployed by the first test, once Redis runs (this method runs before the extension starts it). */
    @Deployment(name = NODE_A, managed = false, testable = false)
    static WebArchive nodeA() throws java.io.IOException {
        return PusherIT.withSecret(Cable.war(Map.of("broker", "redis", "redis_url", REDIS.url(),
                "pusher_app_id", PusherIT.APP_ID, "pusher_app_key", PusherIT.APP_KEY,
                "pusher_webhook_url", PUSHER_HOOKS.url())), "pusher_secret", PusherIT.APP_SECRET);
    }

    private static PusherHooks pusherHooks() {
        try {
            return new PusherHooks();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @ArquillianResource
    Deployer deployer;

    @Test
    @Order(1)
    void startBothNodes() throws Exception {
        starting = CompletableFuture.supplyAsync(CrossNodeIT::startNodeB); // both start at once
        deployer.deploy(NODE_A);
        nodeB = starting.get(3, TimeUnit.MINUTES);
        b = new Cable(nodeB.base().toURL()).awaitHealthy();
    }

    @Test
    @Order(2)
    void bothNodesAreUpOnTheirRedis(@ArquillianResource @OperateOnDeployment(NODE_A) URL url) {
        a = new Cable(url).awaitHealthy(); // connected to Redis
        assertEquals(200, b.get("api/health", null).statusCode());
    }

    @Test
    @Order(3)
    void broadcastsOnEitherNodeReachEverySubscriberOnceInOffsetOrder() {
        TwoNodes.broadcastsReachEveryNodeOnceInOffsetOrder(a, b, stream("cross"), 6);
    }

    @Test
    @Order(4)
    void oneIdOnTwoNodesIsOneMemberUntilItsLastSessionLeaves() {
        TwoNodes.oneIdOnTwoNodesIsOneMemberUntilItsLastSessionLeaves(a, b, stream("cross-presence"));
    }

    @Test
    @Order(5)
    void aRemoteDisconnectClosesThoseIdentifiersOnBothNodes() {
        TwoNodes.remoteDisconnectClosesThoseIdentifiersOnEveryNode(a, b, "cross",
                command -> assertEquals(201, a.broadcast(command).statusCode()));
    }

    @Test
    @Order(6)
    void aPusherPresenceChannelSpreadOverTwoNodesIsOneChannel() throws Exception {
        TwoNodes.pusherPresenceChannelSpreadOverBothNodes(a, b, PUSHER_HOOKS);
    }

    @Test
    @Order(7)
    void undeployNodeA() {
        deployer.undeploy(NODE_A);
    }

    @AfterAll
    static void stopNodeB() throws Exception {
        PUSHER_HOOKS.close();
        if (starting != null) {
            Server server = starting.exceptionally(e -> null).get(3, TimeUnit.MINUTES);
            if (server != null) {
                server.close();
            }
        }
    }

    /** A second process of the suite's server kind, with the same WAR and the settings node A has. */
    private static Server startNodeB() {
        String launch = System.getProperty("arquillian.launch", "payara-micro");
        List<String> options = new java.util.ArrayList<>(List.of("-Xmx384m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-Danycable.broker=redis", "-Danycable.redis_url=" + REDIS.url(),
                "-Danycable.secret=" + Cable.SECRET, "-Danycable.presence_ttl=1"));
        TwoNodes.pusherMode(PUSHER_HOOKS).forEach(property -> options.add("-D" + property));
        Path war = Path.of(System.getProperty("jcable.war", "target/jcable.war"));
        try {
            return switch (launch) {
                case "wildfly" -> Server.wildfly(null, Path.of(System.getProperty("jboss.home")), war, options);
                case "liberty" -> Server.liberty(null, Path.of("target/liberty/wlp"), war, options);
                default -> Server.payara(null, Path.of(System.getProperty("payara.microJar",
                        "target/payara-micro.jar")), war, options);
            };
        } catch (Exception e) {
            throw new IllegalStateException("node B (" + launch + ") did not start", e);
        }
    }
}
