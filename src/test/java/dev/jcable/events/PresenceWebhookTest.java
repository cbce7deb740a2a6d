package dev.jcable.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.jcable.protocol.PresenceEvent;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Presence webhooks against a real HTTP receiver: batched, signed, retried after a failure, bounded. */
class PresenceWebhookTest {

    private static final long T = 1_700_000_000_000L;

    /** One POST as the receiver saw it. */
    record Received(String body, String signature, int answered) {
    }

    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger failuresLeft = new AtomicInteger();
    private final HttpServer receiver;
    private final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);

    PresenceWebhookTest() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            int status = failuresLeft.getAndDecrement() > 0 ? 500 : 204;
            received.add(new Received(body, exchange.getRequestHeaders().getFirst("X-Jcable-Signature"), status));
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        receiver.start();
    }

    @AfterEach
    void stop() {
        receiver.stop(0);
        scheduler.shutdownNow();
    }

    private PresenceWebhook webhook(Duration batch, Duration retry, java.util.function.LongSupplier clock) {
        return new PresenceWebhook(URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook"),
                "hook-secret", batch, retry, HttpClient.newHttpClient(), scheduler, clock);
    }

    @Test
    void eventsAreBatchedSignedAndSentAgainAfterA500() {
        failuresLeft.set(1);
        PresenceWebhook webhook = webhook(Duration.ofMillis(200), Duration.ofSeconds(30), () -> T);
        webhook.changed("room", PresenceEvent.join("42", "{\"name\":\"Vova\"}", 1), 1);
        webhook.changed("room", PresenceEvent.join("7", null, 2), 2);
        webhook.changed("room", PresenceEvent.leave("42", 3), 1);
        webhook.changed("room", PresenceEvent.leave("7", 4), 0);
        assertTrue(await(() -> received.size() == 2));
        String expected = "{\"time\":" + T + ",\"events\":["
                + "{\"name\":\"channel_occupied\",\"stream\":\"room\",\"time\":" + T + "},"
                + "{\"name\":\"member_added\",\"stream\":\"room\",\"id\":\"42\",\"info\":{\"name\":\"Vova\"},\"seq\":1,"
                + "\"time\":" + T + "},"
                + "{\"name\":\"member_added\",\"stream\":\"room\",\"id\":\"7\",\"seq\":2,\"time\":" + T + "},"
                + "{\"name\":\"member_removed\",\"stream\":\"room\",\"id\":\"42\",\"seq\":3,\"time\":" + T + "},"
                + "{\"name\":\"member_removed\",\"stream\":\"room\",\"id\":\"7\",\"seq\":4,\"time\":" + T + "},"
                + "{\"name\":\"channel_vacated\",\"stream\":\"room\",\"time\":" + T + "}]}";
        assertEquals(new Received(expected, hmac(expected), 500), received.get(0), "one POST for all six");
        assertEquals(new Received(expected, hmac(expected), 204), received.get(1), "the same POST again");
        assertTrue(await(() -> webhook.queued() == 0));
    }

    @Test
    void afterTheRetryWindowABatchIsDroppedAndLaterEventsStillGo() {
        failuresLeft.set(Integer.MAX_VALUE);
        // A clock that moves 100 ms per POST received, so the window runs out after the same attempts however slow
        // the machine: backoff 100, 200, 400, 800 ms; the fourth failure at 400 ms + 800 ms is past the 1-s window.
        PresenceWebhook webhook = webhook(Duration.ofMillis(50), Duration.ofMillis(1000),
                () -> T + 100L * received.size());
        webhook.changed("room", PresenceEvent.join("gone", null), 1);
        assertTrue(await(() -> webhook.dropped() == 2), "given up after the retry window (occupied, added)");
        assertEquals(4, received.size(), "retried with backoff first");
        int attempts = received.size();
        failuresLeft.set(0);
        webhook.changed("room", PresenceEvent.join("back", null), 2);
        assertTrue(await(() -> received.size() == attempts + 1 && received.get(attempts).body().contains("\"back\"")));
        assertTrue(received.stream().limit(attempts).allMatch(r -> r.body().contains("\"gone\"")));
    }

    @Test
    void theQueueIsBoundedDroppingTheOldest() {
        PresenceWebhook webhook = webhook(Duration.ofSeconds(60), Duration.ofSeconds(1), () -> T);
        long countedBefore = dev.jcable.metrics.Counter.DROPPED_WEBHOOK_EVENT.count();
        for (int i = 0; i < PresenceWebhook.CAPACITY + 5; i++) {
            webhook.changed("room", PresenceEvent.join("m" + i, null), 2);
        }
        assertEquals(PresenceWebhook.CAPACITY, webhook.queued());
        assertEquals(5, webhook.dropped());
        assertEquals(5, dev.jcable.metrics.Counter.DROPPED_WEBHOOK_EVENT.count() - countedBefore,
                "counted in jcable_dropped_total{what=\"webhook_event\"}");
        webhook.stop();
    }

    /** A receiver's key in the userinfo or the query never reaches a WARNING line (the overflow, the give-up). */
    @Test
    void warningsShowTheUrlWithoutItsUserinfoOrQueryValues() {
        List<String> warnings = new CopyOnWriteArrayList<>();
        java.util.logging.Logger log = java.util.logging.Logger.getLogger(PresenceWebhook.class.getName());
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                warnings.add(record.getLevel() + " " + record.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        log.addHandler(capture);
        try {
            failuresLeft.set(Integer.MAX_VALUE);
            int port = receiver.getAddress().getPort();
            URI url = URI.create("http://hookuser:pw-s3cret@127.0.0.1:" + port + "/hook?token=tk-s3cret");
            PresenceWebhook webhook = new PresenceWebhook(url, "hook-secret", Duration.ofMillis(50),
                    Duration.ofMillis(300), HttpClient.newHttpClient(), scheduler, System::currentTimeMillis);
            webhook.changed("room", PresenceEvent.join("gone", null), 1);
            assertTrue(await(() -> webhook.dropped() == 2), "given up after the retry window");
            webhook.stop();
            PresenceWebhook full = new PresenceWebhook(url, "hook-secret", Duration.ofSeconds(60),
                    Duration.ofSeconds(1), HttpClient.newHttpClient(), scheduler, () -> T);
            for (int i = 0; i < PresenceWebhook.CAPACITY + 1; i++) {
                full.changed("room", PresenceEvent.join("m" + i, null), 2);
            }
            full.stop();
            String shown = "http://hookuser:***@127.0.0.1:" + port + "/hook?token=***";
            assertEquals(List.of("WARNING jcable: presence webhook " + shown + " failed for presence_webhook_retry"
                            + " (HTTP 500); dropped 2 event(s)",
                    "WARNING jcable: 10000 presence webhook events are waiting for " + shown
                            + "; dropping the oldest (logged once until a POST succeeds)"),
                    warnings.stream().filter(w -> w.startsWith("WARNING")).toList());
            assertTrue(warnings.stream().noneMatch(w -> w.contains("s3cret")), warnings.toString());
        } finally {
            log.removeHandler(capture);
        }
    }

    private static String hmac(String body) {
        return dev.jcable.testsupport.Signing.hmacHex("hook-secret", body);
    }

    private static boolean await(BooleanSupplier condition) {
        long until = System.currentTimeMillis() + 10_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > until) {
                return false;
            }
            Thread.onSpinWait();
        }
        return true;
    }
}
