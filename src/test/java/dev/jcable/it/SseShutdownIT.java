package dev.jcable.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.it.app.StreamsInFlight;
import dev.jcable.it.app.StreamsInFlightServlet;
import java.net.URL;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.OperateOnDeployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every event stream's request is completed, so that nothing of SSE stays in flight in the container: Open Liberty's
 * server stop waited its whole 30 s quiesce for streams whose client had gone (their failed write never completed the
 * request). A test filter ({@link StreamsInFlight}) counts the asynchronous requests the container holds.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SseShutdownIT {

    private static final String DEPLOYMENT = "sse-shutdown";
    private static final String RESTART = "{\"type\":\"disconnect\",\"reason\":\"server_restart\",\"reconnect\":true}";

    @Deployment(name = DEPLOYMENT, managed = false, testable = false)
    static WebArchive deployment() {
        // an archive name of its own: a server that still holds another test's jcable.war must not refuse this one
        return ShrinkWrap.create(WebArchive.class, "sse-shutdown.war").merge(Cable.war(Map.of("sse", "true")))
                .addClasses(StreamsInFlight.class, StreamsInFlightServlet.class);
    }

    @ArquillianResource
    Deployer deployer;

    private static Cable cable;

    private static int inFlight() {
        return Integer.parseInt(cable.get("test/sse-in-flight", null).body().lines().findFirst().orElseThrow());
    }

    /** The node's own view, for a failure's message: its connections and why they ended. */
    private static String connectionMetrics() {
        return cable.get("metrics", "Bearer m3trics").body().lines()
                .filter(line -> !line.startsWith("#") && (line.contains("connection") || line.contains("disconnect")))
                .toList().toString();
    }

    private static SseClient follow(String stream) {
        SseClient client = SseClient.open(cable.http(), "/events?stream=" + stream, Map.of());
        assertEquals(200, client.status);
        client.awaitEvent("confirm_subscription", 20);
        return client;
    }

    private static void awaitInFlight(int expected, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        int now;
        while ((now = inFlight()) != expected) {
            assertTrue(System.nanoTime() < deadline, "event streams in flight: " + now + ", expected " + expected
                    + " within " + seconds + " s; the listeners saw " + cable.get("test/sse-in-flight", null).body()
                    + "; the node's metrics: " + connectionMetrics());
            Thread.sleep(100); // polling a condition, not a fixed wait
        }
    }

    @Test
    @Order(1)
    void deploy() {
        deployer.deploy(DEPLOYMENT);
    }

    /** The fault: the client vanished; the next ping's write fails, and that must end the request. */
    @Test
    @Order(2)
    void aStreamWhoseClientVanishedIsCompletedByItsFailedWrite(
            @ArquillianResource @OperateOnDeployment(DEPLOYMENT) URL url) throws Exception {
        cable = new Cable(url);
        awaitInFlight(0, 10);
        SseClient gone = follow(Cable.stream("gone"));
        assertEquals(1, inFlight());
        gone.reset();
        awaitInFlight(0, 30); // pings every ping_interval (3 s): the first write after the reset fails
    }

    @Test
    @Order(3)
    void undeployTellsEveryStreamServerRestartAndCompletesIt() throws Exception {
        int before = inFlight(); // 0, unless the test above failed
        SseClient reader = follow(Cable.stream("reader"));
        SseClient gone = follow(Cable.stream("gone"));
        awaitInFlight(before + 2, 10);
        gone.reset(); // nothing written to it yet: its goodbye at undeploy is the write that fails
        long started = System.nanoTime();
        deployer.undeploy(DEPLOYMENT);
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        reader.await("the end of the response", 10, reader::ended);
        SseClient.Event last = reader.events.get(reader.events.size() - 1);
        assertEquals(new SseClient.Event("disconnect", RESTART, null), last, "told server_restart last");
        assertTrue(reader.body().endsWith("event: disconnect\ndata: " + RESTART + "\n\n"), reader.body());
        // the node waits up to 2 s for the goodbyes; the servers' own undeploy takes a few more under load
        assertTrue(tookMillis < 20_000, "undeploy took " + tookMillis + " ms");
    }
}
