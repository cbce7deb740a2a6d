package dev.jcable.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.node.Node;
import jakarta.servlet.FilterChain;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link DrainFilter}: handshakes pass until the node drains, then get 503; destroy() drains a node it has used. */
class DrainFilterTest {

    /** A node that only records what the filter asks of it. */
    static final class RecordingNode extends Node {
        boolean draining;
        int shutdowns;

        @Override
        public boolean draining() {
            return draining;
        }

        @Override
        public void shutdown() {
            shutdowns++;
            draining = true;
        }
    }

    private final RecordingNode node = new RecordingNode();
    private final DrainFilter filter = new DrainFilter();
    private final List<String> calls = new ArrayList<>();
    private final HttpServletRequest request = proxy(HttpServletRequest.class);
    private final HttpServletResponse response = proxy(HttpServletResponse.class);
    private final FilterChain chain = (req, res) -> calls.add("chain");

    DrainFilterTest() {
        filter.node = node;
    }

    @SuppressWarnings("unchecked")
    private <T> T proxy(Class<T> type) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, method, args) -> {
            calls.add(method.getName() + (args == null ? "" : " " + args[0] + (args.length > 1 ? " " + args[1] : "")));
            return null;
        });
    }

    @Test
    void aHandshakePassesWhileTheNodeRuns() throws Exception {
        filter.doFilter(request, response, chain);
        assertEquals(List.of("chain"), calls);
    }

    @Test
    void aHandshakeDuringTheDrainIsRefusedWith503() throws Exception {
        node.draining = true;
        filter.doFilter(request, response, chain);
        assertEquals(List.of("sendError 503 Server restart"), calls);
    }

    @Test
    void destroyDrainsTheNodeOnceAHandshakeWentThrough() throws Exception {
        filter.doFilter(request, response, chain);
        filter.destroy();
        assertEquals(1, node.shutdowns);
        assertTrue(node.draining());
    }

    @Test
    void destroyLeavesAnUnusedNodeAlone() {
        // e.g. after a failed start: touching the node would try to create it again and log the error twice
        filter.destroy();
        assertEquals(0, node.shutdowns);
        assertFalse(node.draining());
    }
}
