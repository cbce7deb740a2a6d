package dev.jcable.it;

import static dev.jcable.it.Cable.command;
import static dev.jcable.it.Cable.presenceFrame;
import static dev.jcable.it.Cable.signedIdentifier;
import static dev.jcable.it.Cable.stream;
import static dev.jcable.it.Cable.subscribed;
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
 * The cluster's two core promises on WildFly and Open Liberty (ClusterIT covers them, and more, on Payara Micro):
 * node A is the suite's server, with the real WAR told {@code broker=redis} through its packaged defaults; node B is a
 * second process of the same server, with the same WAR, on free ports (never the suite's fixed 8180/10090 or 9080).
 * Both use one real redis-server started by the test.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CrossNodeIT {

    private static final String NODE_A = "node-a";
    @RegisterExtension
    static final RedisServer.PerClass REDIS = new RedisServer.PerClass();
    private static CompletableFuture<Server> starting;
    private static Server nodeB;
    private static Cable a;
    private static Cable b;

    /** Deployed by the first test, once Redis runs (this method runs before the extension starts it). */
    @Deployment(name = NODE_A, managed = false, testable = false)
    static WebArchive nodeA() {
        return Cable.war(Map.of("broker", "redis", "redis_url", REDIS.url()));
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
        String stream = stream("cross");
        String identifier = signedIdentifier(stream);
        try (WsClient onA = a.connect(); WsClient onB = b.connect()) {
            subscribed(onA, identifier);
            subscribed(onB, identifier);
            for (int n = 1; n <= 6; n++) {
                Cable via = n % 2 == 0 ? a : b;
                assertEquals(201, via.broadcast("{\"stream\":\"" + stream + "\",\"data\":\"" + n + "\"}").statusCode());
            }
            String epoch = onA.expectDurable(identifier, "1", stream, 1);
            assertEquals(epoch, onB.expectDurable(identifier, "1", stream, 1), "one epoch per stream, cluster-wide");
            for (int n = 2; n <= 6; n++) {
                onA.expectDurable(identifier, Integer.toString(n), stream, n);
                onB.expectDurable(identifier, Integer.toString(n), stream, n);
            }
            onA.expectQuiet();
            onB.expectQuiet();
        }
    }

    @Test
    @Order(4)
    void oneIdOnTwoNodesIsOneMemberUntilItsLastSessionLeaves() {
        String stream = stream("cross-presence");
        String identifier = signedIdentifier(stream);
        try (WsClient viewer = b.connect(); WsClient onA = a.connect(); WsClient onB = b.connect()) {
            subscribed(viewer, identifier);
            subscribed(onA, identifier);
            subscribed(onB, identifier);
            onA.send(command("join", identifier, "\"presence\":{\"id\":\"42\",\"info\":{\"name\":\"Vova\"}}"));
            String join = presenceFrame(identifier, "{\"type\":\"join\",\"id\":\"42\",\"info\":{\"name\":\"Vova\"}}");
            viewer.expect(join);
            onA.expect(join);
            onB.expect(join);
            onB.send(command("join", identifier, "\"presence\":{\"id\":\"42\",\"info\":{\"name\":\"Vova\"}}"));
            onB.send(command("presence", identifier, null)); // answered once its join is done
            onB.expect(presenceFrame(identifier,
                    "{\"type\":\"info\",\"total\":1,\"records\":[{\"id\":\"42\",\"info\":{\"name\":\"Vova\"}}]}"));
            viewer.expectQuiet(); // the same member: no second join
            String path = "api/presence/" + stream.replace(":", "%3A") + "/users";
            assertEquals("{\"type\":\"info\",\"total\":1,\"records\":[{\"id\":\"42\",\"info\":{\"name\":\"Vova\"}}]}",
                    a.get(path, "Bearer " + Cable.API_KEY).body(), "the cluster's set, asked on the other node");
            onA.send(command("leave", identifier, null));
            onA.expectQuiet();
            viewer.expectQuiet(); // still held on node b
            onB.send(command("leave", identifier, null));
            viewer.expect(presenceFrame(identifier, "{\"type\":\"leave\",\"id\":\"42\"}"));
            viewer.expectQuiet();
        }
    }

    @Test
    @Order(5)
    void undeployNodeA() {
        deployer.undeploy(NODE_A);
    }

    @AfterAll
    static void stopNodeB() throws Exception {
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
        List<String> options = List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Danycable.broker=redis", "-Danycable.redis_url=" + REDIS.url(), "-Danycable.secret=" + Cable.SECRET,
                "-Danycable.presence_ttl=1");
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
