package dev.jcable.it;

import static dev.jcable.it.Cable.signedIdentifier;
import static dev.jcable.it.Cable.stream;
import static dev.jcable.it.Cable.subscribed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code POST /_broadcast}, the API's error bodies, and the injectable Java {@code Broadcaster}. */
class HttpApiIT extends AsClient {

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Cable.war().addClasses(BroadcastProbe.class, BroadcastProbe.ProbeApplication.class);
    }

    String stream;
    String identifier;

    @BeforeEach
    void setUp() {
        stream = stream("news");
        identifier = signedIdentifier(stream);
    }

    private String publication(String data) {
        return "{\"stream\":\"" + stream + "\",\"data\":" + data + "}";
    }

    private static void assertError(HttpResponse<String> response, int status, String body) {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElse("").split(";")[0]);
        assertEquals(body, response.body());
    }

    @Test
    void deliversJsonDataAsJsonAndOtherDataAsAString() {
        try (WsClient client = cable.connect(WsClient.EXT); WsClient plain = cable.connect(WsClient.PLAIN)) {
            subscribed(client, identifier);
            subscribed(plain, identifier);
            assertEquals(201, cable.broadcast(publication("\"{\\\"text\\\":\\\"hi\\\",\\\"n\\\":[1,2]}\"")).statusCode());
            client.expectDurable(identifier, "{\"text\":\"hi\",\"n\":[1,2]}", stream, 1);
            plain.expectDurable(identifier, "{\"text\":\"hi\",\"n\":[1,2]}", stream, 1);
            assertEquals(201, cable.broadcast(publication("\"abc123\"")).statusCode());
            client.expectDurable(identifier, "\"abc123\"", stream, 2);
            assertEquals(201, cable.broadcast(publication("\"line\\nbreak \\\"quoted\\\"\"")).statusCode());
            client.expectDurable(identifier, "\"line\\nbreak \\\"quoted\\\"\"", stream, 3);
        }
    }

    @Test
    void aBroadcastLargerThanAClientsQueueLimitIsDeliveredAndOneOverMaxBroadcastSizeIs413() {
        try (WsClient client = cable.connect()) {
            subscribed(client, identifier);
            // larger than the test server's ws_max_pending_size (65536): a single frame is never a slow consumer
            String big = "y".repeat(100_000);
            assertEquals(201, cable.broadcast(publication("\"" + big + "\"")).statusCode());
            client.expectDurable(identifier, "\"" + big + "\"", stream, 1);
            // over max_broadcast_size (1048576 characters): the whole batch is refused, nothing of it published
            String tooBig = "z".repeat(1_048_577);
            assertError(cable.broadcast("[" + publication("\"first\"") + "," + publication("\"" + tooBig + "\"") + "]"),
                    413, "{\"error\":\"broadcast_too_large\",\"message\":\"[1]data of 1048577 characters is larger"
                            + " than max_broadcast_size (1048576)\"}");
            WsClient.expectQuiet(cable, stream, client); // not even its first publication
        }
    }

    @Test
    void deliversABatchInOrderAndHonoursExcludeSocket() {
        try (WsClient sender = cable.connect(); WsClient other = cable.connect()) {
            subscribed(sender, identifier);
            subscribed(other, identifier);
            String batch = "[" + publication("\"1\"") + "," + publication("\"2\"")
                    + ",{\"stream\":\"" + stream + "\",\"data\":\"3\",\"meta\":{\"exclude_socket\":\"" + sender.sid() + "\"}}]";
            assertEquals(201, cable.broadcast(batch).statusCode());
            for (int n = 1; n <= 3; n++) {
                other.expectDurable(identifier, String.valueOf(n), stream, n);
            }
            sender.expectDurable(identifier, "1", stream, 1);
            sender.expectDurable(identifier, "2", stream, 2);
            WsClient.expectQuiet(cable, stream, sender, other); // 3 excluded the sender
        }
    }

    /** Server-sent events are off by default (docs/sse.md): their path answers as jcable's other HTTP errors do. */
    @Test
    void serverSentEventsAreOffByDefault() {
        assertError(cable.get("events?stream=x", null), 404,
                "{\"error\":\"not_found\",\"message\":\"server-sent events are off (sse)\"}");
    }

    @Test
    void refusesBroadcastsWithoutTheRightKey() {
        String body = publication("\"x\"");
        assertError(cable.post("_broadcast", null, body), 401,
                "{\"error\":\"unauthorized\",\"message\":\"missing Authorization: Bearer <key> header\"}");
        assertError(cable.post("_broadcast", "Bearer " + Cable.API_KEY, body), 401,
                "{\"error\":\"unauthorized\",\"message\":\"wrong key in the Authorization header\"}");
        assertEquals("Bearer", cable.post("_broadcast", null, body).headers().firstValue("WWW-Authenticate").orElse(""));
    }

    @Test
    void refusesMalformedBodiesWithAJsonErrorAndPublishesNothingOfABadBatch() {
        try (WsClient client = cable.connect()) {
            subscribed(client, identifier);
            assertError(cable.broadcast("{not json"), 400,
                    "{\"error\":\"invalid_json\",\"message\":\"body is not valid JSON\"}");
            assertError(cable.broadcast(""), 400,
                    "{\"error\":\"invalid_json\",\"message\":\"empty body: expected a publication or an array of publications\"}");
            assertError(cable.broadcast("{\"data\":\"x\"}"), 422,
                    "{\"error\":\"invalid_publication\",\"message\":\"stream must be a non-empty string\"}");
            assertError(cable.broadcast("{\"stream\":\"" + stream + "\"}"), 422,
                    "{\"error\":\"invalid_publication\",\"message\":\"data is missing\"}");
            assertError(cable.broadcast("[]"), 422,
                    "{\"error\":\"invalid_publication\",\"message\":\"expected a publication object or a non-empty array of them\"}");
            assertError(cable.broadcast("[" + publication("\"first\"") + ",42]"), 422,
                    "{\"error\":\"invalid_publication\",\"message\":\"[1] is not a publication object\"}");
            assertError(cable.broadcast("[" + publication("\"first\"") + ",{\"stream\":7,\"data\":\"x\"}]"), 422,
                    "{\"error\":\"invalid_publication\",\"message\":\"[1]stream must be a non-empty string\"}");
            WsClient.expectQuiet(cable, stream, client); // nothing of a bad batch was published
        }
    }

    @Test
    void unknownApiPathsAnswer404WithAJsonBody() {
        assertError(cable.get("api/nothing/here", "Bearer " + Cable.API_KEY), 404,
                "{\"error\":\"not_found\",\"message\":\"Not Found\"}");
        assertError(cable.get("_broadcast", "Bearer " + Cable.BROADCAST_KEY), 405,
                "{\"error\":\"method_not_allowed\",\"message\":\"Method Not Allowed\"}");
        assertError(cable.post("_broadcast/elsewhere", "Bearer " + Cable.BROADCAST_KEY, "{}"), 404,
                "{\"error\":\"not_found\",\"message\":\"Not Found\"}");
    }

    @Test
    void theInjectableJavaApiBroadcastsFromServerCode() {
        try (WsClient sender = cable.connect(); WsClient other = cable.connect()) {
            subscribed(sender, identifier);
            subscribed(other, identifier);
            assertEquals(204, cable.post("probe/broadcast/" + stream, null, "{\"from\":\"java\"}").statusCode());
            sender.expectDurable(identifier, "{\"from\":\"java\"}", stream, 1);
            other.expectDurable(identifier, "{\"from\":\"java\"}", stream, 1);
            assertEquals(204, cable.post("probe/broadcast/" + stream + "?exclude=" + sender.sid(), null, "not json").statusCode());
            other.expectDurable(identifier, "\"not json\"", stream, 2);
            WsClient.expectQuiet(cable, stream, sender, other); // excluded
        }
    }

    @Test
    void healthAnswersWithoutAKeyAndCountsConnections() {
        try (WsClient client = cable.connect()) {
            var response = cable.get("api/health", null);
            assertEquals(200, response.statusCode());
            // other tests' connections may still be closing: at least this one is counted
            assertTrue(response.body().matches("\\{\"status\":\"ok\",\"connections\":[1-9]\\d*}"), response.body());
        }
    }
}
