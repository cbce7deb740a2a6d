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
 * build) against the deployed WAR, driven by scripts in src/test/node: presence (compat.mjs), and JWT plus a
 * forced network drop with session restore (restore.mjs).
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
        String output = node("compat.mjs", cable.ws(null).toString(), cable.http().toString(), Cable.sign(stream),
                stream, Cable.BROADCAST_KEY);
        assertTrue(output.contains("compat: 7 passed, 0 failed"), output);
    }

    @Test
    void theOfficialClientAuthenticatesWithAJwtAndRestoresItsSessionThroughANetworkDrop() throws Exception {
        Cable cable = new Cable(deployed);
        String stream = Cable.stream("compat/restore");
        String jwt = Cable.jwt(Cable.SECRET, "{\"user\":\"alice\"}", System.currentTimeMillis() / 1000 + 600);
        String output = node("restore.mjs", cable.ws(null).toString(), cable.http().toString(), Cable.sign(stream),
                stream, Cable.BROADCAST_KEY, jwt, Cable.jwt("not-the-secret", "{}", null));
        assertTrue(output.contains("restore: 4 passed, 0 failed"), output);
    }

    /** Runs a script of src/test/node and returns its output; fails unless it exits 0 within a minute. */
    static String node(String script, String... args) throws Exception {
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("node", script));
        command.addAll(java.util.List.of(args));
        File dir = new File(System.getProperty("node.test.dir", "src/test/node"));
        Process node = new ProcessBuilder(command).directory(dir).redirectErrorStream(true).start();
        boolean finished = node.waitFor(60, TimeUnit.SECONDS);
        if (!finished) {
            node.destroyForcibly();
        }
        String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        System.out.println(output);
        assertTrue(finished, script + " did not finish:\n" + output);
        assertEquals(0, node.exitValue(), output);
        return output;
    }
}
