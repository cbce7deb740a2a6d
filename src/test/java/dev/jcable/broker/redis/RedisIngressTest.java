package dev.jcable.broker.redis;

import static dev.jcable.broker.redis.TestNode.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.broker.Publication;
import dev.jcable.broker.PublicationParser;
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

    /**
     * Records what a node's ingress was handed ({@code <stream> <data>} per publication); {@code failFirst} makes the
     * first publish fail (Redis hiccup), {@code before} runs before each publication is made (and may throw).
     */
    private static final class Recorder implements BroadcastIngress {
        final List<String> published = Collections.synchronizedList(new ArrayList<>());
        final List<String> local = Collections.synchronizedList(new ArrayList<>());
        final AtomicBoolean failFirst = new AtomicBoolean();
        volatile java.util.function.Consumer<Publication> before = p -> { };

        @Override
        public List<dev.jcable.broker.Broadcast> parse(String payload) {
            try {
                return PublicationParser.parse(payload);
            } catch (PublicationParser.InvalidBody e) {
                return List.of();
            }
        }

        @Override
        public void publish(dev.jcable.broker.Broadcast broadcast) {
            Publication publication = (Publication) broadcast;
            if (failFirst.compareAndSet(true, false)) {
                throw new dev.jcable.broker.BrokerUnavailableException("hiccup", null);
            }
            before.accept(publication);
            published.add(publication.stream() + " " + publication.data());
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

    /** What the recorder notes for {@link #payload}(n). */
    private static String published(int n) {
        return "s " + n;
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
        assertEquals(List.of(published(1), published(2)), a.published.stream().sorted().toList());
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

    /** Creates the group and adds entries 1..n before any node reads, so that a node takes them in one batch. */
    private void backlog(int n) {
        commands.xgroupCreate(XReadArgs.StreamOffset.latest("__anycable__"), "bx",
                io.lettuce.core.XGroupCreateArgs.Builder.mkstream());
        for (int i = 1; i <= n; i++) {
            commands.xadd("__anycable__", Map.of("payload", payload(i)));
        }
    }

    private boolean nothingPending() {
        return commands.xlen("__anycable__") == 0 && commands.xpending("__anycable__", "bx").getCount() == 0;
    }

    @Test
    void aBatchThatFailsHalfWayPublishesEveryEntryOnceAndInOrderBeforeAnythingNewer() {
        backlog(10);
        Recorder a = node(false, true);
        AtomicBoolean failed = new AtomicBoolean();
        a.before = p -> {
            if (p.data().equals("4") && failed.compareAndSet(false, true)) {
                for (int i = 11; i <= 15; i++) { // newer entries arrive while 4..10 are left pending
                    commands.xadd("__anycable__", Map.of("payload", payload(i)));
                }
                throw new dev.jcable.broker.BrokerUnavailableException("Redis failed half-way", null);
            }
        };
        assertTrue(await(() -> a.published.size() >= 15, 10), a.published.toString());
        assertEquals(IntStream.rangeClosed(1, 15).mapToObj(RedisIngressTest::published).toList(), a.published);
        assertTrue(await(this::nothingPending, 5), "acknowledged and deleted");
    }

    @Test
    void anEntryPublishedButNotAcknowledgedIsAcknowledgedWithoutBeingPublishedAgain() {
        backlog(5);
        Recorder a = node(false, true);
        AtomicBoolean killed = new AtomicBoolean();
        a.before = p -> {
            if (p.data().equals("3") && killed.compareAndSet(false, true)) {
                // every other client's connection drops: the reader's acknowledgement of this batch fails
                commands.clientKill(io.lettuce.core.KillArgs.Builder.typeNormal().skipme());
            }
        };
        assertTrue(await(this::nothingPending, 10), "acknowledged once the reader is back");
        assertEquals(IntStream.rangeClosed(1, 5).mapToObj(RedisIngressTest::published).toList(), a.published,
                "each once");
    }

    @Test
    void aPayloadOfSeveralPublicationsResumesAfterTheLastOneMade() {
        commands.xgroupCreate(XReadArgs.StreamOffset.latest("__anycable__"), "bx",
                io.lettuce.core.XGroupCreateArgs.Builder.mkstream());
        commands.xadd("__anycable__", Map.of("payload", "[{\"stream\":\"x\",\"data\":\"1\"},"
                + "{\"stream\":\"y\",\"data\":\"2\"},{\"stream\":\"z\",\"data\":\"3\"}]"));
        Recorder a = node(false, true);
        AtomicBoolean failed = new AtomicBoolean();
        a.before = p -> {
            if (p.stream().equals("y") && failed.compareAndSet(false, true)) {
                throw new dev.jcable.broker.BrokerUnavailableException("Redis failed after x", null);
            }
        };
        assertTrue(await(this::nothingPending, 10));
        assertEquals(List.of("x 1", "y 2", "z 3"), a.published);
    }
}
