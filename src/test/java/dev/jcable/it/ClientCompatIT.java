package dev.jcable.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The official AnyCable JS client ({@code @anycable/core}, installed from src/test/node/package-lock.json by the
 * build) against the deployed WAR, driven by src/test/node/compat.mjs.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ClientCompatIT {

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Cable.war();
    }

    @ArquillianResource
    URL deployed;

    @Test
    void theOfficialClientJoinsSeesEventsReadsInfoAndLeaves() throws Exception {
        Cable cable = new Cable(deployed);
        String stream = Cable.stream("compat/room");
        File dir = new File(System.getProperty("node.test.dir", "src/test/node"));
        Process node = new ProcessBuilder("node", "compat.mjs", cable.ws(null).toString(), cable.http().toString(),
                Cable.sign(stream), stream, Cable.BROADCAST_KEY)
                .directory(dir).redirectErrorStream(true).start();
        boolean finished = node.waitFor(60, TimeUnit.SECONDS);
        String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        System.out.println(output);
        assertTrue(finished, "node did not finish:\n" + output);
        assertEquals(0, node.exitValue(), output);
        assertTrue(output.contains("compat: 7 passed, 0 failed"), output);
    }
}
