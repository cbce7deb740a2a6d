package dev.jcable.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.broker.Publication;
import dev.jcable.config.Option;
import dev.jcable.metrics.CableMetrics;
import dev.jcable.metrics.Scrape;
import dev.jcable.session.OutboxTest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** Each metric moves by exactly what its event adds, through a real node (counters are per JVM: deltas). */
class NodeMetricsTest {

    private static final String EXT = "actioncable-v1-ext-json";
    private static final String ROOM = "{\"channel\":\"$pubsub\",\"stream_name\":\"room\"}";
    private static final String QUOTED = "\"{\\\"channel\\\":\\\"$pubsub\\\",\\\"stream_name\\\":\\\"room\\\"}\"";

    private static Scrape scrape() {
        return Scrape.parse(CableMetrics.scrape());
    }

    private static String command(String command, String extra) {
        return "{\"command\":\"" + command + "\",\"identifier\":" + QUOTED + extra + "}";
    }

    @Test
    void aClientsLifeMovesEachMetricByItsEvents() {
        try (NodeHarness harness = new NodeHarness(Map.of(Option.PUBLIC_STREAMS, "true", Option.PING_INTERVAL, "0"))) {
            Scrape start = scrape();
            OutboxTest.FakeSocket alice = harness.open(EXT);
            Scrape opened = scrape();
            assertEquals(1, opened.delta(start, "anycable_go_clients_num"));
            assertEquals(1, opened.delta(start, "anycable_go_clients_uniq_num"));
            assertEquals(1, opened.delta(start, "anycable_go_server_msg_total"), "the welcome");
            assertEquals(alice.frames.get(0).length(), opened.delta(start, "anycable_go_data_sent_total"));
            assertEquals(1, opened.delta(start, "jcable_send_seconds_count"));

            String subscribe = command("subscribe", "");
            harness.node.receive(alice.session, subscribe, true);
            Scrape subscribed = scrape();
            assertEquals(1, subscribed.delta(opened, "anycable_go_client_msg_total"));
            assertEquals(subscribe.length(), subscribed.delta(opened, "anycable_go_data_rcvd_total"));
            assertEquals(1, subscribed.delta(opened, "anycable_go_server_msg_total"), "the confirmation");
            assertEquals(1, subscribed.delta(opened, "anycable_go_broadcast_streams_num"));

            harness.node.receive(alice.session, command("join", ",\"presence\":{\"id\":\"42\",\"info\":{}}"), true);
            Scrape joined = scrape();
            assertEquals(1, joined.delta(subscribed, "jcable_presence_events_total{event=\"join\"}"));
            assertEquals(0, joined.delta(subscribed, "jcable_presence_events_total{event=\"leave\"}"));
            assertEquals(1, joined.delta(subscribed, "jcable_presence_members"));
            assertEquals(1, joined.delta(subscribed, "jcable_presence_streams"));
            assertEquals(1, joined.delta(subscribed, "anycable_go_server_msg_total"), "the join event");

            harness.node.publish(new Publication("room", "\"h\u00e9llo \u20ac \ud83d\ude00\""));
            Scrape published = scrape();
            String message = alice.frames.get(alice.frames.size() - 1);
            assertTrue(message.contains("h\u00e9llo \u20ac \ud83d\ude00"), message);
            // bytes, as anycable-go counts: é is 2, € 3 and the emoji 4 in UTF-8 (1, 1 and 2 characters)
            assertEquals(message.getBytes(StandardCharsets.UTF_8).length,
                    published.delta(joined, "anycable_go_data_sent_total"));
            assertEquals(message.length() + 1 + 2 + 2, published.delta(joined, "anycable_go_data_sent_total"));
            assertEquals(1, published.delta(joined, "anycable_go_publications_total"));
            assertEquals(1, published.delta(joined, "anycable_go_broadcast_msg_total"));
            assertEquals(1, published.delta(joined, "anycable_go_server_msg_total"));
            assertEquals(1, published.delta(joined, "jcable_history_messages"));
            assertEquals(1, published.delta(joined, "jcable_history_streams"));

            String notJson = "{not json: \u00e9\u20ac";
            harness.node.receive(alice.session, notJson, true);
            harness.node.receive(alice.session, command("leave", ""), true);
            harness.metrics().sampleOutboxes(); // sampled every 5 s: now, for the test
            Scrape left = scrape();
            assertEquals(notJson.length() + 1 + 2 + command("leave", "").length(),
                    left.delta(published, "anycable_go_data_rcvd_total"));
            assertEquals(2, left.delta(published, "anycable_go_client_msg_total"));
            assertEquals(1, left.delta(published, "anycable_go_failed_client_msg_total"));
            assertEquals(1, left.delta(published, "jcable_presence_events_total{event=\"leave\"}"));
            assertEquals(-1, left.delta(published, "jcable_presence_members"));
            assertEquals(0, left.delta(start, "anycable_go_failed_server_msg_total"));
            assertEquals(0, left.delta(start, "jcable_outbox_pending_chars"), "every write completed");
            harness.node.close(alice.session); // the container reports the close (the shutdown need not wait for it)
        }
    }

    @Test
    void aClientThatStopsReadingIsCountedOnceAsTooSlowAndItsLostFramesAsFailed() {
        try (NodeHarness harness = new NodeHarness(Map.of(Option.PUBLIC_STREAMS, "true", Option.PING_INTERVAL, "0",
                Option.WS_MAX_PENDING_SIZE, "1024"))) {
            OutboxTest.FakeSocket slow = new OutboxTest.FakeSocket(false, EXT); // writes never complete
            harness.node.open(slow.session);
            harness.node.receive(slow.session, command("subscribe", ""), true);
            Scrape before = scrape();
            String data = "\"" + "x".repeat(600) + "\"";
            for (int i = 0; i < 4; i++) {
                harness.node.publish(new Publication("room", data));
            }
            harness.metrics().sampleOutboxes(); // sampled every 5 s: now, for the test
            Scrape after = scrape();
            // the welcome in flight, the confirmation and two messages queued: the third finds over 1,024 characters
            // waiting and is refused; the cut-off drops the three queued frames; the fourth is refused too
            assertEquals(1, after.delta(before, "jcable_disconnects_total{reason=\"too_slow\"}"));
            assertEquals(0, after.delta(before, "jcable_disconnects_total{reason=\"no_pong\"}"));
            assertEquals(5, after.delta(before, "anycable_go_failed_server_msg_total"));
            assertEquals(0, after.delta(before, "anycable_go_server_msg_total"));
            assertTrue(after.value("jcable_outbox_pending_max_chars") > 0, "the goodbye waits behind the welcome");
            harness.node.close(slow.session);
        }
    }

    @Test
    void aRefusedConnectionCountsAsAFailedAuthentication() {
        try (NodeHarness harness = new NodeHarness(Map.of(Option.ENFORCE_JWT, "true", Option.PING_INTERVAL, "0"))) {
            Scrape before = scrape();
            harness.open(EXT);
            Scrape after = scrape();
            assertEquals(1, after.delta(before, "anycable_go_failed_auths_total"));
            assertEquals(1, after.delta(before, "jcable_disconnects_total{reason=\"unauthorized\"}"));
            assertEquals(0, after.delta(before, "anycable_go_clients_num"));
        }
    }

    @Test
    void theStatsLineIsLoggedOnTheSchedulerAndStopsWithTheNode() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getMessage().startsWith("jcable stats:")) {
                    lines.add(record.getMessage());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger logger = Logger.getLogger(Node.class.getName());
        logger.addHandler(handler);
        try (NodeHarness harness = new NodeHarness(Map.of(Option.STATS_REFRESH_INTERVAL, "0.05",
                Option.PING_INTERVAL, "0"))) {
            OutboxTest.FakeSocket socket = harness.open(EXT);
            lines.clear(); // a line logged before the open (the timer starts with the node) counts nobody
            long until = System.currentTimeMillis() + 5000;
            // the first lines may come before the connection opened: wait for one that counts it
            while (List.copyOf(lines).stream().noneMatch(l -> l.contains("clients=1 uniq_clients=1 "))
                    && System.currentTimeMillis() < until) {
                Thread.onSpinWait();
            }
            String line = List.copyOf(lines).stream().filter(l -> l.contains("clients=1 uniq_clients=1 ")).findFirst()
                    .orElse(String.valueOf(lines));
            assertTrue(line.matches("jcable stats: clients=1 uniq_clients=1 streams=0 presence_members=0 "
                    + "msg_in/s=0\\.0 msg_out/s=\\d+\\.\\d broadcasts/s=0\\.0"), line);
            // a periodic task leaves the scheduler's queue while it runs (it may be running right now): wait for it
            List<Runnable> stats = List.of();
            long queued = System.currentTimeMillis() + 5000;
            while (stats.isEmpty() && System.currentTimeMillis() < queued) {
                stats = harness.scheduled().stream().filter(NodeMetricsTest::statsTask).toList();
            }
            assertEquals(1, stats.size(), harness.scheduled().toString());
            harness.node.close(socket.session);
            harness.node.shutdown();
            assertTrue(((Future<?>) stats.get(0)).isCancelled());
        } finally {
            logger.removeHandler(handler);
        }
    }

    @Test
    void withoutAnIntervalThereIsNoStatsLine() {
        try (NodeHarness harness = new NodeHarness(Map.of(Option.PING_INTERVAL, "0"))) {
            assertTrue(harness.scheduled().stream().noneMatch(NodeMetricsTest::statsTask),
                    harness.scheduled().toString());
        }
    }

    /** The JDK's scheduled task names the task it wraps: the stats line's is a lambda of NodeMetrics. */
    private static boolean statsTask(Runnable task) {
        return task.toString().contains("NodeMetrics");
    }
}
