package dev.jcable.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.bench.Conn;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
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

/**
 * {@code shutdown_drain_window}: on undeploy the connections are told {@code server_restart} in batches spread over
 * the window (here 2 s: 20 batches, one every 100 ms), not all at once. Every client is told, once; the goodbyes
 * arrive over most of the window.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DrainIT {

    private static final String DEPLOYMENT = "drained";
    private static final int CLIENTS = 20;
    private static final String RESTART = "{\"type\":\"disconnect\",\"reason\":\"server_restart\",\"reconnect\":true}";
    private static final Map<Integer, Long> told = new ConcurrentHashMap<>();
    private static final Map<Integer, Integer> goodbyes = new ConcurrentHashMap<>();
    private static final java.util.concurrent.CountDownLatch welcomed = new java.util.concurrent.CountDownLatch(CLIENTS);
    private static List<Conn> clients;

    @Deployment(name = DEPLOYMENT, managed = false, testable = false)
    static WebArchive deployment() {
        // an archive name of its own: a server that still holds another test's jcable.war must not refuse this one
        return org.jboss.shrinkwrap.api.ShrinkWrap.create(WebArchive.class, "drained.war")
                .merge(Cable.war(Map.of("shutdown_drain_window", "2")));
    }

    @ArquillianResource
    Deployer deployer;

    @Test
    @Order(1)
    void deploy() {
        deployer.deploy(DEPLOYMENT);
    }

    @Test
    @Order(2)
    void connect(@ArquillianResource @OperateOnDeployment(DEPLOYMENT) URL url) throws Exception {
        URI cable = URI.create("ws://localhost:" + url.getPort() + url.getPath() + "cable");
        HttpClient http = Conn.client();
        clients = Conn.openAll(http, cable, WsClient.EXT, 0, CLIENTS, 4, i -> (conn, frame) -> {
            if (frame.startsWith("{\"type\":\"welcome\"")) {
                welcomed.countDown(); // opened on the server: it will be drained
            } else if (frame.equals(RESTART)) {
                told.putIfAbsent(i, System.nanoTime());
                goodbyes.merge(i, 1, Integer::sum);
            }
        });
        assertEquals(CLIENTS, clients.size());
        assertTrue(welcomed.await(30, TimeUnit.SECONDS), "every client welcomed");
    }

    @Test
    @Order(3)
    void undeployTellsEveryoneInBatchesOverTheWindow() throws Exception {
        deployer.undeploy(DEPLOYMENT);
        for (Conn client : clients) {
            client.closed.get(30, TimeUnit.SECONDS); // after its goodbye: every frame before the close has arrived
        }
        assertEquals(CLIENTS, told.size(), "every client told server_restart: " + told.keySet());
        assertTrue(goodbyes.values().stream().allMatch(n -> n == 1), "once each: " + goodbyes);
        long[] at = told.values().stream().mapToLong(Long::longValue).sorted().toArray();
        long spreadMillis = TimeUnit.NANOSECONDS.toMillis(at[at.length - 1] - at[0]);
        // 20 batches 100 ms apart: the last is told 1.9 s after the first (at once, without the window: a few ms)
        assertTrue(spreadMillis >= 1_500, "goodbyes spread over " + spreadMillis + " ms: " + Arrays.toString(at));
    }
}
