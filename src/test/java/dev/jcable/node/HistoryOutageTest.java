package dev.jcable.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.broker.BrokerListener;
import dev.jcable.broker.BrokerSettings;
import dev.jcable.broker.Publication;
import dev.jcable.broker.StreamMessage;
import dev.jcable.broker.redis.RedisBroker;
import dev.jcable.broker.redis.RedisSettings;
import dev.jcable.config.CableConfig;
import dev.jcable.config.ConfigLoader;
import dev.jcable.config.ConfigSource;
import dev.jcable.config.Option;
import dev.jcable.hub.Hub;
import dev.jcable.protocol.Codec;
import dev.jcable.protocol.PresenceEvent;
import dev.jcable.session.CableSession;
import dev.jcable.session.OutboxTest;
import dev.jcable.session.Subscription;
import dev.jcable.session.Transports;
import dev.jcable.streams.StreamSpec;
import dev.jcable.testsupport.RedisServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;

/**
 * Issue 20, from the chaos suite (seed 3: a client that came back while Redis hung missed two broadcasts of each
 * stream): a client asks for what it missed (after a restore, or with a subscribe) while Redis hangs. Answered
 * {@code reject_history}, those messages were lost for good: the official client only reports it
 * ({@code history_not_found}) and never asks again. It is told to reconnect instead ({@code out_of_sync}, reconnect:
 * true), and once Redis answers the same request gets them. History Redis no longer has is still rejected.
 */
class HistoryOutageTest {

    private static final String ID = "{\"channel\":\"room\"}";
    private final CableConfig config = new ConfigLoader(List.of(ConfigSource.of("test",
            Map.of(Option.SECRET, "s3Krit")))).load();

    @Test
    void historyRequestedWhileRedisHangsMakesTheClientAskAgainAndThenGetsIt() throws Exception {
        ExecutorService executor = Executors.newCachedThreadPool();
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
        try (RedisServer redis = RedisServer.startNew()) { // its own: a hung server is no one else's
            RedisBroker broker = new RedisBroker(new RedisSettings(redis.url() + "?timeout=1s", "ho"),
                    new BrokerSettings(Duration.ofSeconds(2), 100, 100, Duration.ofSeconds(300), Duration.ofSeconds(300),
                            1_000_000), Thread::new, executor, scheduler);
            broker.start(new BrokerListener() {
                @Override
                public void deliver(StreamMessage message) {
                }

                @Override
                public void presence(String stream, PresenceEvent event) {
                }
            });
            try {
                long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (!broker.healthy() && System.nanoTime() < end) {
                    Thread.onSpinWait();
                }
                assertTrue(broker.healthy(), "connected to Redis");
                for (int n = 1; n <= 3; n++) {
                    broker.publish(new Publication("room", "\"" + n + "\"", null));
                }
                String epoch = broker.historySince("room", 0, 3).get(0).epoch();
                // the client had offset 1 when its connection dropped; the subscription is attached at offset 3
                Subscription room = new Subscription(ID, new StreamSpec("room", false, false), 3, null);
                StreamCommands commands = new StreamCommands(broker, new Hub(), null, config, null, stream -> true);
                String history = "{\"command\":\"history\",\"identifier\":\"{\\\"channel\\\":\\\"room\\\"}\","
                        + "\"history\":{\"streams\":{\"room\":{\"epoch\":\"" + epoch + "\",\"offset\":1}}}}";

                OutboxTest.FakeSocket whileHung = socket();
                redis.pause();
                try {
                    commands.history(session(whileHung), Codec.decode(history), room);
                } finally {
                    redis.resume();
                }
                assertEquals(List.of("{\"type\":\"disconnect\",\"reason\":\"out_of_sync\",\"reconnect\":true}"),
                        whileHung.frames);

                OutboxTest.FakeSocket back = socket(); // the client reconnected and asks for the same positions
                commands.history(session(back), Codec.decode(history), room);
                String meta = ",\"stream_id\":\"room\",\"epoch\":\"" + epoch + "\",\"offset\":";
                assertEquals(List.of(
                        "{\"identifier\":\"" + ID.replace("\"", "\\\"") + "\",\"message\":\"2\"" + meta + "2}",
                        "{\"identifier\":\"" + ID.replace("\"", "\\\"") + "\",\"message\":\"3\"" + meta + "3}",
                        "{\"type\":\"confirm_history\",\"identifier\":\"" + ID.replace("\"", "\\\"") + "\"}"),
                        back.frames);

                OutboxTest.FakeSocket gone = socket(); // an epoch Redis no longer has: rejected, as before
                commands.history(session(gone), Codec.decode(history.replace(epoch, "old")), room);
                assertEquals(List.of("{\"type\":\"reject_history\",\"identifier\":\"" + ID.replace("\"", "\\\"")
                        + "\"}"), gone.frames);
            } finally {
                broker.stop();
                executor.shutdownNow();
                scheduler.shutdownNow();
            }
        }
    }

    private static OutboxTest.FakeSocket socket() {
        return new OutboxTest.FakeSocket(true, "actioncable-v1-ext-json");
    }

    private static CableSession session(OutboxTest.FakeSocket socket) {
        return new CableSession("s1", socket.session, 100_000_000, Long.MAX_VALUE, Runnable::run,
                Transports.portable());
    }
}
