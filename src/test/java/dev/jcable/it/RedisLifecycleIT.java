package dev.jcable.it;

import static dev.jcable.it.Cable.command;
import static dev.jcable.it.Cable.presenceFrame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.URL;
import java.net.http.HttpResponse;
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
 * A {@code broker=redis} deployment's life on the suite's server, with a real redis-server started by the test: it is
 * deployed while Redis is not running (and starts, reporting its broker down), connects by itself once Redis runs,
 * uses every part of the Redis client (scripts, pub/sub, both Redis broadcast adapters), and is undeployed, after
 * which {@link RedeployIT}'s thread probe finds none of its threads (event loops, timer, computation, the
 * {@code redisx} reader, nor anything Netty starts for itself). On Payara Micro the adapter runs each deployment in a
 * JVM of its own, which ends with the undeploy; there the probe is skipped, and {@link PayaraRedeployIT} undeploys a
 * {@code broker=redis} node in one running Payara JVM and checks the same probe and Redis' {@code CLIENT LIST}.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisLifecycleIT {

    private static final String DEPLOYMENT = "jcable-redis";
    private static final String PROBE = "probe";
    @RegisterExtension
    static final RedisServer.PerClass REDIS = new RedisServer.PerClass();
    private static URL server;
    private static NotRedis notRedis;

    /** Deployed by the first test, once Redis runs (this method runs before the extension starts it). */
    @Deployment(name = DEPLOYMENT, managed = false, testable = false)
    static WebArchive deployment() {
        return Cable.war(Map.of("broker", "redis", "redis_url", REDIS.url(), "broadcast_adapter", "http,redis,redisx"));
    }

    @Deployment(name = PROBE, managed = false, testable = false)
    static WebArchive probe() {
        return ThreadProbe.war();
    }

    @ArquillianResource
    Deployer deployer;

    @Test
    @Order(1)
    void deployWhileRedisIsNotRunning() throws Exception {
        REDIS.server().stop();
        notRedis = new NotRedis(REDIS.server().port()); // counts the node's attempts to connect
        deployer.deploy(DEPLOYMENT); // does not fail
    }

    @Test
    @Order(2)
    void theNodeRunsSaysItsBrokerIsDownAndKeepsTrying(@ArquillianResource @OperateOnDeployment(DEPLOYMENT) URL url)
            throws Exception {
        server = url;
        Cable cable = new Cable(url);
        notRedis.awaitAttempts(2); // the first, and one retry a second later
        HttpResponse<String> health = cable.get("api/health", null);
        assertEquals(503, health.statusCode());
        assertTrue(health.body().startsWith("{\"status\":\"broker_down\""), health.body());
        HttpResponse<String> broadcast = cable.broadcast("{\"stream\":\"s\",\"data\":\"1\"}");
        assertEquals(503, broadcast.statusCode());
        assertTrue(broadcast.body().startsWith("{\"error\":\"broker_unavailable\""), broadcast.body());
        String identifier = Cable.signedIdentifier(Cable.stream("early"));
        try (WsClient early = cable.connect()) {
            early.send(Cable.subscribe(identifier));
            early.expect(Cable.reject(identifier));
        }
        notRedis.close();
    }

    @Test
    @Order(3)
    void onceRedisRunsTheNodeConnectsByItselfAndUsesEveryPartOfTheClient() throws Exception {
        REDIS.server().start();
        Cable cable = new Cable(server).awaitHealthy();
        String stream = Cable.stream("redis-lifecycle");
        String identifier = Cable.signedIdentifier(stream);
        WsClient member = cable.connect();
        Cable.subscribed(member, identifier); // a pub/sub subscription
        member.send(command("join", identifier, "\"presence\":{\"id\":\"m\"}")); // a script
        member.expect(presenceFrame(identifier, "{\"type\":\"join\",\"id\":\"m\",\"seq\":1}"));
        assertEquals(201, cable.broadcast("{\"stream\":\"" + stream + "\",\"data\":\"1\"}").statusCode());
        member.expectDurable(identifier, "1", stream, 1);
        RedisClient sdk = RedisClient.create(REDIS.url());
        try (StatefulRedisConnection<String, String> connection = sdk.connect()) {
            // both Redis broadcast adapters, started once connected; the reader makes its group (and the stream) first
            while (connection.sync().exists("__anycable__") == 0) {
                Thread.sleep(20); // poll interval of the condition
            }
            connection.sync().xadd("__anycable__", Map.of("payload", "{\"stream\":\"" + stream + "\",\"data\":\"2\"}"));
            member.expectDurable(identifier, "2", stream, 2);
            connection.sync().publish("__anycable__", "{\"stream\":\"" + stream + "\",\"data\":\"3\"}");
            member.expect(Cable.messageFrame(identifier, "3"));
        } finally {
            sdk.shutdown();
        }
        deployer.undeploy(DEPLOYMENT);
        member.expect("{\"type\":\"disconnect\",\"reason\":\"server_restart\",\"reconnect\":true}");
        assertEquals("1001 Server restart", member.awaitClose());
    }

    @Test
    @Order(4)
    void noThreadOfTheRedisClientOutlivesTheUndeploy() throws Exception {
        ThreadProbe.assertNoThreadLeft(deployer, PROBE, server.toURI());
    }

    /** Listens on Redis's port while Redis is stopped, and hangs up on every connection: each one an attempt. */
    private static final class NotRedis implements AutoCloseable {
        private final java.net.ServerSocket socket;
        private final java.util.concurrent.Semaphore attempts = new java.util.concurrent.Semaphore(0);

        NotRedis(int port) throws java.io.IOException {
            socket = new java.net.ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new java.net.InetSocketAddress("127.0.0.1", port));
            Thread acceptor = new Thread(() -> {
                while (!socket.isClosed()) {
                    try (java.net.Socket connection = socket.accept()) {
                        attempts.release();
                    } catch (java.io.IOException closed) {
                        // closed
                    }
                }
            }, "not-redis");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        void awaitAttempts(int count) throws InterruptedException {
            assertTrue(attempts.tryAcquire(count, 30, java.util.concurrent.TimeUnit.SECONDS),
                    "the node tried to connect " + count + " times");
        }

        @Override
        public void close() throws java.io.IOException {
            socket.close();
        }
    }
}
