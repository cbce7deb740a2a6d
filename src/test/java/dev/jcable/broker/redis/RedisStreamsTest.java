package dev.jcable.broker.redis;

import static dev.jcable.broker.redis.TestNode.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.broker.Publication;
import dev.jcable.broker.StreamMessage;
import dev.jcable.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** publish.lua, history.lua and the pub/sub fan-out between two nodes, against a real redis-server. */
class RedisStreamsTest {

    private static final AtomicInteger PREFIXES = new AtomicInteger();
    @RegisterExtension
    static final RedisServer.PerClass REDIS = new RedisServer.PerClass();

    private final String prefix = "t" + PREFIXES.incrementAndGet();
    private final List<TestNode> nodes = new ArrayList<>();

    @AfterEach
    void stopNodes() throws Exception {
        for (TestNode node : nodes) {
            node.close();
        }
    }

    private TestNode node(int historyLimit, Duration historyTtl) {
        TestNode node = new TestNode(REDIS.url(), prefix, TestNode.settings(Duration.ofSeconds(15), 100,
                historyLimit, historyTtl));
        nodes.add(node);
        return node;
    }

    private TestNode node() {
        return node(100, Duration.ofSeconds(300));
    }

    private static String epochOf(TestNode node, String stream) {
        return node.broker.historySince(stream, 0, Long.MAX_VALUE).get(0).epoch();
    }

    @Test
    void aRemoteCommandReachesEveryNodeOnceAndIsNotStored() {
        TestNode a = node();
        TestNode b = node();
        a.broker.command(new dev.jcable.broker.RemoteCommand("{\"user_id\":\"42\"}", false));
        b.broker.command(new dev.jcable.broker.RemoteCommand("{\"user_id\":\"7\"}", true));
        List<String> expected = List.of("disconnect {\"user_id\":\"42\"} false", "disconnect {\"user_id\":\"7\"} true");
        assertTrue(await(() -> a.events().size() >= 2 && b.events().size() >= 2, 5));
        assertEquals(expected, a.events());
        assertEquals(expected, b.events());
    }

    @Test
    void offsetsCountFromOneInOneEpochSharedByEveryNode() {
        TestNode a = node();
        TestNode b = node();
        a.broker.publish(new Publication("room", "\"one\""));
        b.broker.publish(new Publication("room", "\"two\"", "sid-x"));
        a.broker.publish(new Publication("room", "\"three\""));
        List<StreamMessage> all = b.broker.historySince("room", 0, Long.MAX_VALUE);
        assertEquals(List.of(1L, 2L, 3L), all.stream().map(StreamMessage::offset).toList());
        assertEquals(List.of("\"one\"", "\"two\"", "\"three\""), all.stream().map(StreamMessage::data).toList());
        assertEquals("sid-x", all.get(1).excludeSocket());
        String epoch = all.get(0).epoch();
        assertTrue(epoch.matches("[0-9A-Za-z]{6}"), epoch);
        assertTrue(all.stream().allMatch(m -> m.epoch().equals(epoch)));
        // another stream counts on its own, in its own epoch
        a.broker.publish(new Publication("other", "x"));
        assertEquals(1, a.broker.historySince("other", 0, Long.MAX_VALUE).get(0).offset());
    }

    @Test
    void historyFromAnOffsetStopsAtTheGivenPositionAndRefusesWhatItCannotServe() {
        TestNode a = node(3, Duration.ofSeconds(300));
        for (int i = 1; i <= 5; i++) {
            a.broker.publish(new Publication("s", "m" + i));
        }
        String epoch = epochOf(a, "s");
        // only the last 3 are kept (history_limit): offsets 3, 4, 5
        assertEquals(List.of(4L, 5L), offsets(a.broker.historyFrom("s", epoch, 3, 5)));
        assertEquals(List.of(3L, 4L), offsets(a.broker.historyFrom("s", epoch, 2, 4)));
        assertEquals(List.of(), offsets(a.broker.historyFrom("s", epoch, 5, 5)));
        assertEquals(Optional.empty(), a.broker.historyFrom("s", epoch, 1, 5), "offset 2 is no longer kept");
        assertEquals(Optional.empty(), a.broker.historyFrom("s", epoch, 6, 9), "ahead of the stream");
        assertEquals(Optional.empty(), a.broker.historyFrom("s", "other", 4, 5), "another epoch");
        assertEquals(Optional.empty(), a.broker.historyFrom("unknown", epoch, 0, 5), "an unknown stream");
    }

    @Test
    void historyEntriesExpireAfterHistoryTtl() {
        TestNode a = node(100, Duration.ofMillis(300));
        a.broker.publish(new Publication("s", "old"));
        String epoch = epochOf(a, "s");
        assertEquals(List.of(1L), offsets(a.broker.historyFrom("s", epoch, 0, 1)));
        assertTrue(await(() -> a.broker.historySince("s", 0, 10).isEmpty(), 5), "expired after history_ttl");
    }

    @Test
    void historySinceCountsWholeSeconds() {
        TestNode a = node();
        a.broker.publish(new Publication("s", "a"));
        a.broker.publish(new Publication("s", "b"));
        long nowSeconds = System.currentTimeMillis() / 1000;
        assertEquals(List.of("a", "b"), a.broker.historySince("s", nowSeconds - 5, 10).stream()
                .map(StreamMessage::data).toList());
        assertEquals(List.of("a"), a.broker.historySince("s", nowSeconds - 5, 1).stream()
                .map(StreamMessage::data).toList(), "up to the position");
        assertEquals(List.of(), a.broker.historySince("s", nowSeconds + 60, 10));
    }

    @Test
    void aPublicationOnOneNodeReachesTheSubscribersOfAnotherOnceInOffsetOrder() {
        TestNode a = node();
        TestNode b = node();
        assertEquals(0, b.subscribe("room"));
        List<String> expected = new ArrayList<>();
        IntStream.rangeClosed(1, 200).forEach(i -> a.broker.publish(new Publication("room", "n" + i)));
        String epoch = epochOf(a, "room");
        IntStream.rangeClosed(1, 200).forEach(i -> expected.add("m room " + epoch + " " + i + " n" + i));
        assertTrue(await(() -> b.events().size() >= 200, 10), b.events().size() + " delivered");
        TestNode.quiesce("room", a, b); // none twice
        assertEquals(expected, b.events());
        assertEquals(List.of(), a.events(), "a node without subscribers of the stream receives nothing");
    }

    @Test
    void attachReturnsThePositionAfterWhichEverythingArrivesLive() {
        TestNode a = node();
        TestNode b = node();
        a.broker.publish(new Publication("room", "before1"));
        a.broker.publish(new Publication("room", "before2"));
        assertEquals(2, b.subscribe("room"), "history serves up to 2");
        a.broker.publish(new Publication("room", "after"));
        assertTrue(await(() -> !b.events().isEmpty(), 5));
        TestNode.quiesce("room", a, b); // and neither before1 nor before2 live
        assertEquals(List.of("m room " + epochOf(a, "room") + " 3 after"), b.events());
    }

    @Test
    void aMessageLostOnTheWayIsFilledFromHistoryBeforeTheNextOne() {
        TestNode a = node();
        TestNode b = node();
        b.subscribe("room");
        a.broker.publish(new Publication("room", "first"));
        // a publication whose PUBLISH never reached b (as while its pub/sub connection was down): offset 2
        RedisClient raw = RedisClient.create(REDIS.url());
        try (StatefulRedisConnection<String, String> c = raw.connect()) {
            RedisKeys keys = new RedisKeys(prefix);
            long offset = c.sync().hincrby(keys.meta("room"), "s", 1);
            c.sync().xadd(keys.history("room")[0], new io.lettuce.core.XAddArgs().id(offset + "-0"),
                    fields("d", "lost", "x", "", "t", Long.toString(System.currentTimeMillis())));
        } finally {
            raw.shutdown();
        }
        a.broker.publish(new Publication("room", "third"));
        String epoch = epochOf(a, "room");
        assertTrue(await(() -> b.events().size() >= 3, 5), b.events().toString());
        assertEquals(List.of("m room " + epoch + " 1 first", "m room " + epoch + " 2 lost",
                "m room " + epoch + " 3 third"), b.events());
    }

    /** {@code exclude_socket} is the caller's text: a {@code :} in it must not shift the data of the payload. */
    @Test
    void anExcludedSocketWithAColonLeavesTheDataWhole() {
        TestNode a = node();
        TestNode b = node();
        b.subscribe("room");
        a.broker.publish(new Publication("room", "hello", "a:b"));
        a.broker.whisper(new Publication("room", "hi", "x:y"));
        a.broker.publish(new Publication("room", "bye", "sid-1"));
        String epoch = epochOf(a, "room");
        assertTrue(await(() -> b.events().size() == 3, 5), b.events().toString());
        // a session id never holds a ':', so such an exclusion excludes no one, as on the memory broker
        assertEquals(List.of("m room " + epoch + " 1 hello", "m room null 0 hi", "m room " + epoch + " 2 bye -sid-1"),
                b.events());
        assertEquals("hello", a.broker.historySince("room", 0, 10).get(0).data());
    }

    /**
     * Issue 20, 1: a stream quiet for 10 × history_ttl is forgotten and its next message starts a new epoch at
     * offset 1. A subscriber that stayed connected must still get it: the listener hears of the new epoch before its
     * first message (the hub then stops holding the new offsets back against the old position).
     */
    @Test
    void aStreamForgottenWhileSubscribedStartsANewEpochThatTheListenerHearsOfBeforeItsFirstMessage() {
        TestNode a = node(100, Duration.ofMillis(100)); // the offset outlives the last message by 1 s
        TestNode b = node(100, Duration.ofMillis(100));
        b.subscribe("room");
        a.broker.publish(new Publication("room", "old1"));
        a.broker.publish(new Publication("room", "old2"));
        assertTrue(await(() -> b.events().size() == 2, 5), b.events().toString());
        String old = b.events().get(0).split(" ")[2];
        RedisClient raw = RedisClient.create(REDIS.url());
        try (StatefulRedisConnection<String, String> c = raw.connect()) {
            String meta = new RedisKeys(prefix).meta("room");
            assertTrue(await(() -> c.sync().exists(meta) == 0, 10), "the stream's offset expires");
        } finally {
            raw.shutdown();
        }
        a.broker.publish(new Publication("room", "new1"));
        a.broker.publish(new Publication("room", "new2"));
        assertTrue(await(() -> b.events().size() == 5, 5), b.events().toString());
        String epoch = epochOf(a, "room");
        assertTrue(!epoch.equals(old), "a new epoch");
        assertEquals(List.of("m room " + old + " 1 old1", "m room " + old + " 2 old2", "epoch room",
                "m room " + epoch + " 1 new1", "m room " + epoch + " 2 new2"), b.events());
        assertEquals(List.of("new1", "new2"), b.broker.historyFrom("room", epoch, 0, 2).orElseThrow().stream()
                .map(StreamMessage::data).toList(), "history serves the new epoch");
    }

    @Test
    void aWhisperReachesTheOtherNodesSubscribersWithoutAnOffsetAndIsNeverStored() {
        TestNode a = node();
        TestNode b = node();
        b.subscribe("room");
        a.broker.publish(new Publication("room", "durable"));
        a.broker.whisper(new Publication("room", "{\"event\":\"typing\"}", "sid-w"));
        a.broker.publish(new Publication("room", "durable2"));
        String epoch = epochOf(a, "room");
        assertTrue(await(() -> b.events().size() == 3, 5), b.events().toString());
        assertEquals(List.of("m room " + epoch + " 1 durable", "m room null 0 {\"event\":\"typing\"} -sid-w",
                "m room " + epoch + " 2 durable2"), b.events());
        assertEquals(2, a.broker.historySince("room", 0, 10).size());
    }

    @Test
    void theLastLocalSubscriberUnsubscribesTheNodeFromTheChannel() {
        TestNode a = node();
        TestNode b = node();
        b.subscribe("room");
        b.subscribe("room");
        b.broker.detach("room");
        a.broker.publish(new Publication("room", "still"));
        assertTrue(await(() -> b.events().size() == 1, 5));
        b.broker.detach("room");
        assertEquals(0, b.broker.subscribedStreams());
        RedisClient raw = RedisClient.create(REDIS.url());
        try (StatefulRedisConnection<String, String> c = raw.connect()) {
            String channel = new RedisKeys(prefix).channel("room");
            assertTrue(await(() -> c.sync().pubsubNumsub(channel).get(channel) == 0, 5));
        } finally {
            raw.shutdown();
        }
    }

    /** Stream entry fields in the order publish.lua writes them. */
    private static java.util.Map<String, String> fields(String... pairs) {
        java.util.Map<String, String> fields = new java.util.LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            fields.put(pairs[i], pairs[i + 1]);
        }
        return fields;
    }

    private static List<Long> offsets(Optional<List<StreamMessage>> messages) {
        assertTrue(messages.isPresent(), "refused");
        return messages.get().stream().map(StreamMessage::offset).toList();
    }
}
