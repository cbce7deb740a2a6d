package dev.jcable.it;

import static dev.jcable.it.Cable.command;
import static dev.jcable.it.Cable.publicIdentifier;
import static dev.jcable.it.Cable.stream;
import static dev.jcable.it.Cable.subscribed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.metrics.Scrape;
import java.net.http.HttpResponse;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;

/**
 * {@code /metrics} over HTTP while a real client connects, subscribes, joins, receives a broadcast and leaves, and
 * another is cut off as {@code too_slow}: each step moves the metrics by exactly what it adds. The test servers run
 * with {@code metrics_key=m3trics}, {@code ws_max_pending_size=65536} and {@code pong_timeout=4}.
 */
class MetricsIT extends AsClient {

    private static final String KEY = "Bearer m3trics";

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Cable.war();
    }

    private Scrape scrape() {
        HttpResponse<String> response = cable.get("metrics", KEY);
        assertEquals(200, response.statusCode(), response.body());
        return Scrape.parse(response.body());
    }

    /**
     * Waits (at most 10 s) until every sample has moved by its expected delta since {@code before}, then asserts
     * them all: a frame counts as sent when the container reports the write done, a moment after the client has it.
     */
    private Scrape expect(Scrape before, Map<String, Double> deltas) {
        long until = System.currentTimeMillis() + 10_000;
        Scrape now = scrape();
        while (!matches(before, now, deltas) && System.currentTimeMillis() < until) {
            pause();
            now = scrape();
        }
        for (Map.Entry<String, Double> delta : deltas.entrySet()) {
            assertEquals(delta.getValue(), now.delta(before, delta.getKey()), delta.getKey());
        }
        return now;
    }

    private static boolean matches(Scrape before, Scrape now, Map<String, Double> deltas) {
        return deltas.entrySet().stream().allMatch(d -> now.delta(before, d.getKey()) == d.getValue());
    }

    private static Map<String, Double> deltas(Object... pairs) {
        Map<String, Double> deltas = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            deltas.put((String) pairs[i], ((Number) pairs[i + 1]).doubleValue());
        }
        return deltas;
    }

    private static void pause() {
        try {
            Thread.sleep(20); // poll interval of a condition, not a guess at timing
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void theMetricsNeedTheKeyAndTheHealthChecksNone() {
        HttpResponse<String> missing = cable.get("metrics", null);
        assertEquals(401, missing.statusCode());
        assertEquals("{\"error\":\"unauthorized\",\"message\":\"missing Authorization: Bearer <key> header\"}",
                missing.body());
        HttpResponse<String> wrong = cable.get("metrics", "Bearer guess");
        assertEquals(401, wrong.statusCode());
        assertEquals("{\"error\":\"unauthorized\",\"message\":\"wrong key in the Authorization header\"}", wrong.body());
        HttpResponse<String> right = cable.get("metrics", KEY);
        assertEquals(200, right.statusCode());
        assertTrue(right.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"),
                right.headers().map().toString());
        assertTrue(right.body().contains("# TYPE anycable_go_clients_num gauge\n"), right.body());

        HttpResponse<String> ready = cable.get("api/health/ready", null);
        assertEquals(200, ready.statusCode());
        assertTrue(ready.body().matches("\\{\"status\":\"ready\",\"connections\":\\d+}"), ready.body());
        assertEquals("{\"status\":\"alive\"}", cable.get("api/health/live", null).body());
    }

    @Test
    void eachStepOfAClientMovesItsMetricsAndASlowClientIsCountedAsCutOff() {
        String room = stream("metrics");
        String identifier = publicIdentifier(room);
        Scrape start = scrape();
        // ?pi=0: no JSON pings, so every frame the server sends below is one the test caused
        try (WsClient alice = WsClient.connect(cable.ws("pi=0"), WsClient.EXT)) {
            Scrape connected = expect(start, deltas("anycable_go_clients_num", 1, "anycable_go_clients_uniq_num", 1,
                    "anycable_go_server_msg_total", 1, "anycable_go_failed_auths_total", 0));

            subscribed(alice, identifier);
            Scrape subscribedNow = expect(connected, deltas("anycable_go_client_msg_total", 1,
                    "anycable_go_server_msg_total", 1, "anycable_go_broadcast_streams_num", 1));

            alice.send(command("join", identifier, "\"presence\":{\"id\":\"alice\",\"info\":{}}"));
            alice.expect(Cable.presenceFrame(identifier, "{\"type\":\"join\",\"id\":\"alice\",\"info\":{},\"seq\":1}"));
            Scrape joined = expect(subscribedNow, deltas("anycable_go_client_msg_total", 1,
                    "jcable_presence_events_total{event=\"join\"}", 1, "jcable_presence_members", 1,
                    "jcable_presence_streams", 1, "anycable_go_server_msg_total", 1));

            assertEquals(201, cable.broadcast("{\"stream\":\"" + room + "\",\"data\":\"{\\\"n\\\":1}\"}").statusCode());
            alice.expectDurable(identifier, "{\"n\":1}", room, 1);
            Scrape broadcast = expect(joined, deltas("anycable_go_publications_total", 1,
                    "anycable_go_broadcast_msg_total", 1, "anycable_go_server_msg_total", 1,
                    "jcable_history_messages", 1, "jcable_history_streams", 1));

            alice.send(command("leave", identifier, null));
            alice.expect(Cable.presenceFrame(identifier, "{\"type\":\"leave\",\"id\":\"alice\",\"seq\":2}"));
            Scrape left = expect(broadcast, deltas("anycable_go_client_msg_total", 1,
                    "jcable_presence_events_total{event=\"leave\"}", 1, "jcable_presence_members", -1,
                    "anycable_go_server_msg_total", 1, "anycable_go_failed_client_msg_total", 0));

            String firehose = cutOffAsTooSlow(left);
            // on another stream: nothing of the firehose reached it. A witness subscribed to the firehose gets a
            // barrier's marker after every fan-out of it ran, so one meant for alice would be in her outbox before
            // her pong
            try (WsClient witness = WsClient.connect(cable.ws("pi=0"), WsClient.EXT)) {
                subscribed(witness, publicIdentifier(firehose));
                WsClient.expectQuiet(cable, firehose, witness);
            }
            alice.expectNoReply();
        }
        expect(start, deltas("anycable_go_clients_num", 0, "jcable_disconnects_total{reason=\"too_slow\"}", 1,
                "jcable_disconnects_total{reason=\"no_pong\"}", 0, "jcable_disconnects_total{reason=\"write_failed\"}", 0));
    }

    /**
     * A raw client with a 4 KB receive window stops reading while big broadcasts pile up for it; returns the stream
     * they went to.
     */
    private String cutOffAsTooSlow(Scrape before) {
        String firehose = stream("firehose");
        String identifier = publicIdentifier(firehose);
        String chunk = "y".repeat(60 * 1024);
        String batch = "[" + String.join(",", Collections.nCopies(8,
                "{\"stream\":\"" + firehose + "\",\"data\":\"" + chunk + "\"}")) + "]";
        try (WsClient slow = WsClient.raw(cable.http(), WsClient.EXT, Map.of(), 4096)) {
            assertEquals(101, slow.status());
            assertTrue(slow.next().contains("welcome"));
            slow.send(Cable.subscribe(identifier));
            assertTrue(slow.next().contains("confirm_subscription"));
            Scrape stalled = scrape();
            assertEquals(1, stalled.delta(before, "anycable_go_clients_num"));
            // from here on it reads nothing; its pongs keep it from being closed as dead (pong_timeout)
            for (int round = 0; round < 200
                    && scrape().delta(before, "jcable_disconnects_total{reason=\"too_slow\"}") == 0; round++) {
                slow.send("{\"command\":\"pong\"}");
                assertEquals(201, cable.broadcast(batch).statusCode());
            }
            Scrape cut = expect(before, deltas("jcable_disconnects_total{reason=\"too_slow\"}", 1,
                    "jcable_disconnects_total{reason=\"no_pong\"}", 0, "anycable_go_clients_num", 0));
            assertTrue(cut.delta(before, "anycable_go_failed_server_msg_total") >= 1,
                    "the frame that found its queue full was refused");
            assertTrue(cut.delta(before, "anycable_go_publications_total") >= 8);
        }
        return firehose;
    }
}
