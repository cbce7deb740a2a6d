package dev.jcable.broker.redis;

import static dev.jcable.broker.redis.TestNode.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.broker.BrokerStats;
import dev.jcable.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The cluster's presence figures for the metrics ({@link RedisStats}), two nodes on a real redis-server. */
class RedisStatsTest {

    private static final AtomicInteger PREFIXES = new AtomicInteger();
    @RegisterExtension
    static final RedisServer.PerClass REDIS = new RedisServer.PerClass();

    private final String prefix = "st" + PREFIXES.incrementAndGet();
    private final List<TestNode> nodes = new ArrayList<>();
    /** The counters' clock: each {@link #counted} moves it past the freshness of the last figures. */
    private final AtomicLong clock = new AtomicLong();

    @AfterEach
    void stopNodes() throws Exception {
        for (TestNode node : nodes) {
            node.close();
        }
    }

    private TestNode node(Duration presenceTtl) {
        TestNode node = new TestNode(REDIS.url(), prefix, TestNode.settings(presenceTtl, 100, 100,
                Duration.ofSeconds(300)));
        nodes.add(node);
        return node;
    }

    private RedisStats counter(TestNode node, int maxStreams) {
        return node.broker.newStats(clock::get, maxStreams);
    }

    /** Figures counted now: the clock moved on so that the last ones are stale. */
    private BrokerStats counted(RedisStats counter) {
        clock.addAndGet(RedisStats.FRESH_NANOS);
        return counter.get();
    }

    private static BrokerStats presence(long streams, long members) {
        return new BrokerStats(streams, members, -1, -1);
    }

    @Test
    void everyNodeReportsTheClustersStreamsAndMembersExactlyAfterJoinsAndLeaves() {
        TestNode a = node(Duration.ofSeconds(15));
        TestNode b = node(Duration.ofSeconds(15));
        RedisStats onA = counter(a, RedisStats.MAX_STREAMS);
        RedisStats onB = counter(b, RedisStats.MAX_STREAMS);
        assertEquals(presence(0, 0), counted(onA));
        a.broker.presenceAdd("room", "s1", "u1", null);
        b.broker.presenceAdd("room", "s2", "u2", "{}");
        b.broker.presenceAdd("room", "s3", "u1", null); // u1 again, from the other node: still one member
        b.broker.presenceAdd("lobby", "s4", "u3", null);
        assertEquals(presence(2, 3), a.broker.stats(), "the broker's own figures, on either node");
        assertEquals(presence(2, 3), b.broker.stats());
        a.broker.presenceRemove("room", "s1");
        assertEquals(presence(2, 3), counted(onB), "u1 is still held by s3 on node b");
        b.broker.presenceRemove("room", "s3");
        assertEquals(presence(2, 2), counted(onA));
        b.broker.presenceRemove("lobby", "s4");
        assertEquals(presence(1, 1), counted(onA), "the emptied stream is no longer counted, at once");
        assertEquals(presence(1, 1), counted(onB));
        a.broker.presenceAdd("lobby", "s5", "u4", null);
        assertEquals(presence(2, 2), counted(onA));
    }

    @Test
    void aDisconnectedMemberCountsUntilItsTtlEnds() {
        TestNode a = node(Duration.ofMillis(300));
        TestNode b = node(Duration.ofMillis(300));
        RedisStats counter = counter(b, RedisStats.MAX_STREAMS);
        a.broker.presenceAdd("room", "s1", "u1", null);
        b.broker.presenceAdd("room", "s2", "u2", null);
        a.broker.presenceDisconnected("s1");
        assertEquals(presence(1, 2), counted(counter), "within presence_ttl");
        assertTrue(await(() -> counted(counter).equals(presence(1, 1)), 5), "swept: " + counter.get());
        b.broker.presenceDisconnected("s2");
        assertTrue(await(() -> counted(counter).equals(presence(0, 0)), 5), "swept: " + counter.get());
    }

    @Test
    void beyondTheCapTheStreamsAreCountedAndTheirMembersOnlyAsALowerBoundSaidOnce() {
        TestNode a = node(Duration.ofSeconds(15));
        for (int stream = 0; stream < 5; stream++) {
            a.broker.presenceAdd("r" + stream, "s" + stream + "a", "u1", null);
            a.broker.presenceAdd("r" + stream, "s" + stream + "b", "u2", null);
        }
        List<String> said = new ArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.INFO.intValue()) {
                    said.add(record.getMessage());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger log = Logger.getLogger(RedisStats.class.getName());
        log.addHandler(handler);
        try {
            RedisStats capped = counter(a, 3);
            assertEquals(presence(5, 6), counted(capped), "5 streams; the members of 3 of them");
            assertEquals(presence(5, 6), counted(capped));
            assertEquals(List.of("jcable: 5 streams have presence; jcable_presence_members counts the members of 3"
                    + " of them, a lower bound (said once)"), said);
            assertEquals(presence(5, 10), counted(counter(a, 5)), "exactly at the cap: all counted");
            assertEquals(1, said.size());
        } finally {
            log.removeHandler(handler);
        }
    }

    /**
     * At the real cap: 12,000 streams, the 10,000 with the earliest deadlines holding 2 members each, the others 1
     * (written straight into Redis). Prints what a count costs the caller (docs/BENCHMARKS.md).
     */
    @Test
    void atTheCapTheMembersOfTheStreamsDueFirstAreCountedInPages() throws Exception {
        RedisKeys keys = new RedisKeys(prefix);
        RedisClient raw = RedisClient.create(REDIS.url());
        try (StatefulRedisConnection<String, String> c = raw.connect()) {
            List<CompletableFuture<Long>> writes = new ArrayList<>();
            for (int stream = 0; stream < 12_000; stream++) {
                String name = "r" + stream;
                writes.add(c.async().zadd(keys.sweepIndex(), 1e13 + stream, name).toCompletableFuture());
                for (int member = 0; member < (stream < RedisStats.MAX_STREAMS ? 2 : 1); member++) {
                    writes.add(c.async().zadd(keys.presenceMembers(name), member, "u" + member).toCompletableFuture());
                }
            }
            CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        } finally {
            raw.shutdown();
        }
        RedisStats counter = counter(node(Duration.ofSeconds(15)), RedisStats.MAX_STREAMS);
        List<Double> millis = new ArrayList<>();
        for (int run = 0; run < 5; run++) {
            long start = System.nanoTime();
            assertEquals(presence(12_000, 20_000), counted(counter));
            millis.add((System.nanoTime() - start) / 1e6);
        }
        System.out.printf("redis stats cost: 12000 streams, members of 10000 counted: %s ms per count%n",
                millis.stream().map(m -> String.format(java.util.Locale.ROOT, "%.0f", m)).toList());
    }

    @Test
    void figuresAreReusedWhileFreshSoThatScrapesDoNotMultiplyTheCount() {
        TestNode a = node(Duration.ofSeconds(15));
        RedisStats counter = counter(a, RedisStats.MAX_STREAMS);
        a.broker.presenceAdd("room", "s1", "u1", null);
        assertEquals(presence(1, 1), counted(counter));
        a.broker.presenceAdd("room", "s2", "u2", null);
        assertEquals(presence(1, 1), counter.get(), "the four gauges of a scrape: counted once");
        clock.addAndGet(RedisStats.FRESH_NANOS - 1);
        assertEquals(presence(1, 1), counter.get());
        clock.incrementAndGet();
        assertEquals(presence(1, 2), counter.get(), "stale: counted again");
    }

    @Test
    void whileOneCountWaitsForRedisOtherCallersGetTheLastFiguresAtOnce() throws Exception {
        TestNode a = node(Duration.ofSeconds(15));
        RedisStats counter = counter(a, RedisStats.MAX_STREAMS);
        a.broker.presenceAdd("room", "s1", "u1", null);
        assertEquals(presence(1, 1), counted(counter));
        a.broker.presenceAdd("room", "s2", "u2", null);
        clock.addAndGet(RedisStats.FRESH_NANOS);
        RedisClient raw = RedisClient.create(REDIS.url());
        try (StatefulRedisConnection<String, String> c = raw.connect()) {
            c.sync().clientPause(1500); // every client's commands wait 1.5 s: a slow Redis
            CompletableFuture<BrokerStats> slow = CompletableFuture.supplyAsync(counter::get);
            assertTrue(await(counter::counting, 5));
            long start = System.nanoTime();
            assertEquals(presence(1, 1), counter.get(), "the last figures, not a second count");
            assertTrue(System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(500), "without waiting");
            assertFalse(slow.isDone());
            assertEquals(presence(1, 2), slow.get(10, TimeUnit.SECONDS));
            assertEquals(presence(1, 2), counter.get(), "and kept");
        } finally {
            raw.shutdown();
        }
    }

    @Test
    void whileRedisIsDownTheFiguresAreUnknownAtOnce() throws Exception {
        TestNode a = node(Duration.ofSeconds(1)); // renewed every second: joined again soon after Redis is back
        RedisStats counter = counter(a, RedisStats.MAX_STREAMS);
        a.broker.presenceAdd("room", "s1", "u1", null);
        assertEquals(presence(1, 1), counted(counter));
        REDIS.server().stop();
        try {
            assertTrue(await(() -> !a.broker.healthy(), 5));
            long start = System.nanoTime();
            assertEquals(BrokerStats.UNKNOWN, counted(counter));
            assertEquals(BrokerStats.UNKNOWN, a.broker.stats(), "NaN on the gauges");
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(1), "failed at once, not after a timeout");
        } finally {
            REDIS.server().start();
        }
        assertTrue(await(() -> a.broker.healthy(), 10));
        assertTrue(await(() -> counted(counter).equals(presence(1, 1)), 10), "counted again once Redis is back,"
                + " the live session joined again: " + counter.get());
    }
}
