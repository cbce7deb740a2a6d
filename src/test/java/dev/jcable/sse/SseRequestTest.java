package dev.jcable.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.jcable.protocol.Command;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SseRequestTest {

    private static Command subscribe(Map<String, List<String>> query, String lastEventId) {
        return SseRequest.subscribe(query, lastEventId);
    }

    @Test
    void theQueryNamesOneSubscription() {
        assertEquals("{\"channel\":\"$pubsub\",\"stream_name\":\"chat\"}",
                subscribe(Map.of("stream", List.of("chat")), null).identifier());
        assertEquals("{\"channel\":\"$pubsub\",\"signed_stream_name\":\"abc--sig\"}",
                subscribe(Map.of("signed_stream", List.of("abc--sig")), null).identifier());
        assertEquals("{\"channel\":\"ChatChannel\"}",
                subscribe(Map.of("channel", List.of("ChatChannel")), null).identifier());
        assertEquals("{\"channel\":\"ChatChannel\",\"id\":1}", subscribe(Map.of("identifier",
                List.of("{\"channel\":\"ChatChannel\",\"id\":1}"), "stream", List.of("ignored")), null).identifier());
        assertEquals("subscribe", subscribe(Map.of("stream", List.of("chat")), null).command());
        assertNull(subscribe(Map.of("stream", List.of("")), null));
        assertNull(subscribe(Map.of("history_since", List.of("1")), null));
    }

    @Test
    void historyComesFromLastEventIdElseFromHistorySince() {
        Map<String, List<String>> query = Map.of("stream", List.of("chat"), "history_since", List.of("1700000000"));
        assertEquals("{\"since\":1700000000}", subscribe(query, null).history().toString());
        assertEquals("{\"streams\":{\"chat/1\":{\"offset\":7,\"epoch\":\"e1\"}}}",
                subscribe(query, "7/chat/1/e1").history().toString());
        assertEquals("{\"since\":1700000000}", subscribe(query, "not-an-id").history().toString());
        assertNull(subscribe(Map.of("stream", List.of("chat"), "history_since", List.of("soon")), null).history());
        assertNull(subscribe(Map.of("stream", List.of("chat")), null).history());
    }
}
