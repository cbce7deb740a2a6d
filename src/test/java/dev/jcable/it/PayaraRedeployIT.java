package dev.jcable.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.it.app.FailingListener;
import dev.jcable.it.app.SecondIdentifier;
import dev.jcable.it.app.TestIdentifier;
import dev.jcable.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.File;
import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * On Payara Micro, what {@link RedeployIT}, {@link FailedDeployIT} and {@link RedisLifecycleIT} prove with
 * {@link ThreadProbe} on WildFly and Open Liberty: in a server that stays up, an undeploy of a {@code broker=redis}
 * jcable and a jcable deployment that fails leave no jcable thread (ThreadProbe's criteria) and no Redis connection
 * ({@code CLIENT LIST} shows only the test's own).
 *
 * <p>Why a Payara Micro of the test's own ({@link PayaraProcess}): Arquillian's Payara Micro adapter starts a JVM per
 * deployment, ends it on undeploy and does not report a failed deployment, so nothing there can outlive a
 * deployment. Payara Micro's {@code --deploydir} is read once at boot and {@code --hotdeploy} only marks deployments
 * for an IDE's reload: neither deploys or undeploys in a running JVM. So the server boots with jcable and a probe WAR
 * ({@link ThreadProbe} and {@link PayaraDeployer}), and the probe deploys and undeploys in that JVM through Payara
 * Micro's runtime API, whose deploy and undeploy are the server's deploy and undeploy commands (what {@code asadmin}
 * runs on a long-lived Payara Server that redeploys).
 *
 * <p>Three ways out, each checked until nothing is left (at most 30 s; a leak stays for good):
 * <ol>
 *   <li>an undeploy of the running node;</li>
 *   <li>a deployment that fails in the node's start (two {@code ConnectionIdentifier}s);</li>
 *   <li>a deployment that fails after the node started and connected to Redis (the application's own listener
 *       throws; Redis' {@code total_connections_received} shows the node connected before the failure).</li>
 * </ol>
 * The first test is the control: the same probe and {@code CLIENT LIST} do see the running node's threads and
 * connections. Configuration comes as system properties, so every jcable deployment in this JVM uses the test's
 * redis-server (and a presence webhook URL, so that its client is part of what must not outlive a deployment).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PayaraRedeployIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    @RegisterExtension
    static final RedisServer.PerClass REDIS = new RedisServer.PerClass();
    @TempDir
    static Path wars;
    private static PayaraProcess payara;
    private static RedisClient sdk;
    private static StatefulRedisConnection<String, String> redis;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        String probe = export(ThreadProbe.war().addClass(PayaraDeployer.class));
        payara = new PayaraProcess(List.of(System.getProperty("jcable.war", "target/jcable.war"), probe),
                "anycable.broker=redis", "anycable.redis_url=" + REDIS.url(),
                "anycable.presence_webhook_url=http://127.0.0.1:9/hook").awaitReady();
        sdk = RedisClient.create(REDIS.url());
        redis = sdk.connect();
    }

    @AfterAll
    static void stop() throws Exception {
        if (redis != null) {
            redis.close();
            sdk.shutdown();
        }
        if (payara != null) {
            payara.close();
        }
    }

    @Test
    @Order(1)
    void theProbeAndClientListSeeTheRunningNode() throws Exception {
        new Cable(new URL("http://localhost:" + payara.port() + "/")).awaitHealthy();
        assertFalse(threads().isEmpty(), "ThreadProbe sees the running node's threads");
        assertFalse(others().isEmpty(), "CLIENT LIST shows the running node's connections");
    }

    @Test
    @Order(2)
    void anUndeployLeavesNoThreadAndNoRedisConnection() throws Exception {
        assertFalse(deployer("undeploy=jcable").contains("jcable"), payara.log());
        awaitLog("jcable: stopped");
        assertNothingLeft("the undeploy");
    }

    @Test
    @Order(3)
    void aDeploymentWithTwoConnectionIdentifiersFailsAndLeavesNothing() throws Exception {
        String war = export(ShrinkWrap.create(WebArchive.class, "jcable-two-identifiers.war").merge(Cable.war())
                .addClasses(TestIdentifier.class, SecondIdentifier.class));
        assertFalse(deploy(war, "jcable-two-identifiers"), "the deployment failed");
        awaitLog("more than one ConnectionIdentifier bean");
        assertNothingLeft("the deployment with two ConnectionIdentifiers");
    }

    @Test
    @Order(4)
    void aDeploymentThatFailsAfterTheNodeConnectedLeavesNothing() throws Exception {
        String war = export(ShrinkWrap.create(WebArchive.class, "jcable-failing.war").merge(Cable.war())
                .addClass(FailingListener.class));
        long connections = connectionsReceived();
        assertFalse(deploy(war, "jcable-failing"), "the deployment failed");
        awaitLog(FailingListener.MESSAGE);
        assertTrue(connectionsReceived() > connections, "the failed deployment's node had connected to Redis");
        assertNothingLeft("the deployment that failed after its node connected");
    }

    /** Waits until ThreadProbe lists nothing and Redis has no client but the test, then asserts both. */
    private static void assertNothingLeft(String after) throws Exception {
        long until = System.nanoTime() + WAIT.toNanos();
        String threads;
        List<String> others;
        while ((!(threads = threads()).isEmpty() || !(others = others()).isEmpty()) && System.nanoTime() < until) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100)); // poll interval of the condition
        }
        assertEquals("", threads, "jcable threads left by " + after);
        assertEquals(List.of(), others(), "Redis connections left by " + after);
    }

    /** Payara's log (read by another thread) reaches {@code line}. */
    private static void awaitLog(String line) {
        long until = System.nanoTime() + WAIT.toNanos();
        while (!payara.log().contains(line) && System.nanoTime() < until) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50)); // poll interval of the condition
        }
        assertTrue(payara.log().contains(line), "Payara's log has no '" + line + "':\n" + payara.log());
    }

    private static boolean deploy(String war, String name) throws Exception {
        return deployer("deploy=" + URLEncoder.encode(war, StandardCharsets.UTF_8) + "&name=" + name).contains(name);
    }

    /** The applications deployed after the probe's deploy or undeploy, one a line. */
    private static List<String> deployer(String query) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(probe("deployer?" + query))
                .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofMinutes(3)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return response.body().lines().toList();
    }

    private static String threads() throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(probe("threads")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return response.body();
    }

    private static URI probe(String path) {
        return URI.create("http://localhost:" + payara.port() + "/probe/" + path);
    }

    /** Every client of the Redis server but the test's own connection. */
    private static List<String> others() {
        long self = redis.sync().clientId();
        return Arrays.stream(redis.sync().clientList().split("\n")).map(String::trim)
                .filter(line -> !line.isEmpty() && !line.startsWith("id=" + self + " ")).toList();
    }

    /** Connections Redis accepted so far (the test's own is one, opened once). */
    private static long connectionsReceived() {
        return redis.sync().info("stats").lines().filter(line -> line.startsWith("total_connections_received:"))
                .mapToLong(line -> Long.parseLong(line.substring(line.indexOf(':') + 1).trim())).findFirst()
                .orElseThrow();
    }

    private static String export(WebArchive war) {
        File file = wars.resolve(war.getName()).toFile();
        war.as(ZipExporter.class).exportTo(file, true);
        return file.getAbsolutePath();
    }
}
