package dev.jcable.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.testsupport.ExternalProgram;
import java.nio.file.Path;

import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;

/**
 * Server-sent events at {@code /events} (docs/sse.md), read from Node as EventSource reads them
 * (src/test/node/sse.mjs): exact events, ids, Last-Event-ID resume, 401 refusals, CORS headers, a slow reader cut
 * off; and by headless Chromium's own EventSource (src/test/node/sse-browser.mjs; skipped without Chromium unless
 * strict), same-origin and from another origin (allowed, and refused).
 */
class SseIT extends AsClient {

    @Deployment(testable = false)
    static WebArchive deployment() {
        // allowed_origins: the CORS steps of both scripts read from http://allowed.localhost and are refused elsewhere
        return Cable.war(Map.of("sse", "true", "allowed_origins", "allowed.localhost"));
    }

    @Test
    void nodeReadsTheEventStreamAsEventSourceDoes() throws Exception {
        String output = ClientCompatIT.node("sse.mjs", cable.http().getHost(), String.valueOf(cable.http().getPort()),
                Cable.SECRET, Cable.BROADCAST_KEY);
        assertTrue(output.contains("sse: 14 passed, 0 failed"), output);
    }

    @Test
    void chromiumsEventSourceFollowsAStream() throws Exception {
        Path chromium = ExternalProgram.CHROMIUM.require();
        String output = ClientCompatIT.node("sse-browser.mjs", cable.http().toString(), Cable.BROADCAST_KEY,
                chromium.toString());
        assertTrue(output.contains("sse-browser: 5 passed, 0 failed"), output);
    }
}
