package dev.jcable.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.bench.Conn;
import dev.jcable.bench.Fanout;
import dev.jcable.bench.Wars;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.nio.file.Path;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A smoke-sized run of the fan-out benchmark (src/test/java/dev/jcable/bench, full runs with bench/run.sh): 20
 * subscribers, 25 broadcasts on the publisher's schedule, through POST /_broadcast and through the Java API, so the
 * benchmark code cannot rot. Every delivery must arrive, every publication must be answered (for the Java API, the
 * publisher's report comes back from inside the server) and the latencies must be finite.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class BenchmarkSmokeIT {

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Wars.jcable(Path.of(System.getProperty("jcable.war", "target/jcable.war")));
    }

    @ArquillianResource
    URL deployed;

    @Test
    void fanOutThroughHttpDeliversEveryBroadcast() throws Exception {
        check(Fanout.Kind.JCABLE_HTTP);
    }

    @Test
    void fanOutThroughTheJavaApiDeliversEveryBroadcast() throws Exception {
        check(Fanout.Kind.JCABLE_JAVA);
    }

    private void check(Fanout.Kind kind) throws Exception {
        HttpClient ws = Conn.client();
        URI base = URI.create("http://127.0.0.1:" + deployed.getPort() + "/");
        Fanout.Result r = Fanout.run(ws, new Fanout.Target("smoke " + kind, kind, base, Cable.SECRET),
                new Fanout.Settings(20, 5, 20, 50, 200, 16), () -> 0);
        System.out.println(kind + ": " + r.latency() + ", delivered " + r.received() + "/" + r.expected() + "; "
                + r.publisher());
        assertEquals(r.expected(), r.received(), "every subscriber receives every broadcast");
        assertEquals(25, r.publisher().sent());
        assertEquals(25, r.publisher().answered(), "every publication answered: " + r.publisher());
        assertEquals(25, r.publisher().response().samples());
        assertEquals(20 * 20, r.latency().samples());
        assertTrue(Double.isFinite(r.latency().p95()) && r.latency().p95() >= 0, r.latency().toString());
    }
}
