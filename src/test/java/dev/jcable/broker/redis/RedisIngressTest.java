package dev.jcable.broker.redis;

import static dev.jcable.broker.redis.TestNode.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.testsupport.RedisServer;
import io.lettuce.core.Consumer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** AnyCable's Redis broadcast adapters (redis: PUBLISH; redisx: a Stream read by a consumer group), real Redis. */
class RedisIngressTest {

    @RegisterExtension
    static final RedisServer.PerClass REDIS = new RedisServer.PerClass();
    private RedisClient raw;
    private RedisCommands<String, String> commands;
    private final List<TestNode> nodes = new ArrayList<>();

    @BeforeEach
    void connect() {
        raw = RedisClient.create(REDIS.url());
        StatefulRedisConnection<String, String> connection = raw.connect();
        commands = connection.sync();
        commands.flushall();
    }

    @AfterEach
    void stop() throws Exception {
        for (TestNode node : nodes) {
            node.close();
        }
        raw.shutdown();
    }

    /** Records what a node's ingress was handed; {@code failFirst} makes the first publish fail (Redis hiccup). */
    private static final class Recorder implements BroadcastIngress {
        final List<String> published = Collections.synchronizedList(new ArrayList<>());
        final List<String> local = Collections.synchronizedList(new ArrayList<>());
        final AtomicBoolean failFirst = new AtomicBoolean();

        @Override
        public void publish(String payload) {
            if (failFirst.compareAndSet(true, false)) {
                throw new dev.jcable.broker.BrokerUnavailableException("hiccup", null);
            }
            published.add(payload);
        }

        @Override
        public void deliverLocally(String payload) {
            local.add(payload);
        }
    }

    private Recorder node(boolean pubsub, boolean stream) {
        TestNode node = new TestNode(REDIS.url(), "i", TestNode.settings(Duration.ofSeconds(15), 100, 100,
                Duration.ofSeconds(300)));
        nodes.add(node);
        Recorder recorder = new Recorder();
        node.broker.startIngress(pubsub, "__anycable__", stream, "__anycable__", recorder);
        return recorder;
    }

    private boolean groupExists() {
        return commands.exists("__anycable__") == 1 && commands.xinfoGroups("__anycable__").size() == 1;
    }

    private static String payload(int n) {
        return "{\"stream\":\"s\",\"data\":\"" + n + "\"}";
    }

    @Test
    void aPublishOnTheChannelReachesEveryNodeOnceInOrder() {
        Recorder a = node(true, false);
        Recorder b = node(true, false);
        List<String> sent = IntStream.rangeClosed(1, 50).mapToObj(RedisIngressTest::payload).toList();
        sent.forEach(p -> commands.publish("__anycable__", p));
        assertTrue(await(() -> a.local.size() == 50 && b.local.size() == 50, 5), a.local.size() + "/" + b.local.size());
        assertEquals(sent, a.local);
        assertEquals(sent, b.local);
        assertEquals(List.of(), a.published);
    }

    @Test
    void eachStreamEntryIsPublishedByOneNodeOnlyThenAcknowledgedAndDeleted() {
        Recorder a = node(false, true);
        Recorder b = node(false, true);
        assertTrue(await(this::groupExists, 5), "group bx created");
        List<String> sent = IntStream.rangeClosed(1, 200).mapToObj(RedisIngressTest::payload).toList();
        sent.forEach(p -> commands.xadd("__anycable__", Map.of("payload", p)));
        assertTrue(await(() -> a.published.size() + b.published.size() == 200, 10));
        List<String> all = new ArrayList<>(a.published);
        all.addAll(b.published);
        assertEquals(200, all.stream().distinct().count(), "each exactly once");
        assertTrue(await(() -> commands.xlen("__anycable__") == 0, 5), "deleted once handled");
    }

    @Test
    void entriesADeadConsumerTookAreClaimedAfterTwoSecondsAndOnesThatFailedAreTakenAgain() {
        commands.xgroupCreate(XReadArgs.StreamOffset.latest("__anycable__"), "bx",
                io.lettuce.core.XGroupCreateArgs.Builder.mkstream());
        commands.xadd("__anycable__", Map.of("payload", payload(1)));
        commands.xadd("__anycable__", Map.of("payload", payload(2)));
        // a node that read both and died before acknowledging them
        assertEquals(2, commands.xreadgroup(Consumer.from("bx", "dead"), XReadArgs.StreamOffset.lastConsumed(
                "__anycable__")).size());
        Recorder a = node(false, true);
        a.failFirst.set(true); // and the survivor's first attempt fails too
        long start = System.nanoTime();
        assertTrue(await(() -> a.published.size() == 2, 10), a.published.toString());
        assertTrue((System.nanoTime() - start) / 1e9 >= 1.5, "claimed once idle for 2 s");
        assertEquals(List.of(payload(1), payload(2)).stream().sorted().toList(),
                a.published.stream().sorted().toList());
        assertTrue(await(() -> commands.xlen("__anycable__") == 0, 5));
    }

    @Test
    void aStoppedNodeLeavesTheGroup() throws Exception {
        node(false, true);
        assertTrue(await(this::groupExists, 5));
        commands.xadd("__anycable__", Map.of("payload", payload(1)));
        assertTrue(await(() -> commands.xlen("__anycable__") == 0, 5));
        assertEquals(1, commands.xinfoConsumers("__anycable__", "bx").size());
        nodes.remove(0).close();
        assertEquals(0, commands.xinfoConsumers("__anycable__", "bx").size());
    }
}
