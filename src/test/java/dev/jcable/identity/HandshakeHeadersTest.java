package dev.jcable.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HandshakeHeadersTest {

    @Test
    void theHeadersAreTakenOnceAndLetGoEvenWhereTheContainerKeptACopyOfTheUserProperties() {
        Map<String, List<String>> headers = Map.of("cookie", List.of("user=alice"));
        Map<String, Object> handshake = new HashMap<>();
        handshake.put(HandshakeHeaders.KEY, new HandshakeHeaders(headers));
        Map<String, Object> session = new HashMap<>(handshake); // what a container may do, keeping `handshake`

        assertEquals(headers, HandshakeHeaders.take(session));
        assertFalse(session.containsKey(HandshakeHeaders.KEY));
        assertTrue(handshake.containsKey(HandshakeHeaders.KEY), "the container's copy still holds the holder…");
        assertEquals(Map.of(), HandshakeHeaders.take(handshake), "…but no longer the headers");
    }

    @Test
    void noHeadersIsAnEmptyMap() {
        assertEquals(Map.of(), HandshakeHeaders.take(new HashMap<>()));
        assertEquals(Map.of(), HandshakeHeaders.take(null));
        Map<String, Object> odd = new HashMap<>(Map.of(HandshakeHeaders.KEY, "not a holder"));
        assertEquals(Map.of(), HandshakeHeaders.take(odd));
    }
}
