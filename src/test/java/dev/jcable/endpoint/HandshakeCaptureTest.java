package dev.jcable.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Every connection gets the same stateless endpoint; the node is looked up once. */
class HandshakeCaptureTest {

    /** Any other class keeps the container's default: a new instance each time. */
    public static final class Other {
    }

    @Test
    void everyConnectionGetsTheSameEndpoint() throws Exception {
        AtomicInteger lookups = new AtomicInteger();
        HandshakeCapture configurator = new HandshakeCapture(() -> {
            lookups.incrementAndGet();
            return null; // the endpoint only hands calls on; never called here
        });
        CableEndpoint first = configurator.getEndpointInstance(CableEndpoint.class);
        for (int i = 0; i < 1000; i++) {
            assertSame(first, configurator.getEndpointInstance(CableEndpoint.class));
        }
        assertEquals(1, lookups.get());
        assertNotSame(configurator.getEndpointInstance(Other.class), configurator.getEndpointInstance(Other.class));
    }
}
