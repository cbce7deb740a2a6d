package dev.jcable.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.channels.ChannelDiscovery;
import dev.jcable.channels.Channels;
import dev.jcable.config.ConfigLoader;
import dev.jcable.config.ConfigSource;
import dev.jcable.config.Option;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A deployment that fails in the node's start (a bad {@code @CableChannel}, two {@code ConnectionIdentifier}s, or
 * anything after the broker started) leaves nothing running: no timer, no thread, no webhook client. The servers'
 * side of it (no thread, no Redis connection after a failed deployment) is {@code FailedDeployIT}.
 */
class FailedStartTest {

    private final ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1);
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    /** Thread ids grow: a thread with a larger one was started by this test. */
    private final long before = Thread.getAllStackTraces().keySet().stream().mapToLong(Thread::getId).max().orElse(0);

    @AfterEach
    void stop() {
        timers.shutdownNow();
    }

    private Node node(ChannelDiscovery discovery) {
        Node node = new Node();
        node.discovery = discovery;
        node.config = new ConfigLoader(List.of(ConfigSource.of("test", Map.of(Option.SECRET, "s3Krit",
                Option.PRESENCE_WEBHOOK_URL, "http://127.0.0.1:9/hook", Option.STATS_REFRESH_INTERVAL, "5"))))
                .load();
        node.scheduler = NodeHarness.managed(ManagedScheduledExecutorService.class, timers);
        node.executor = NodeHarness.managed(ManagedExecutorService.class,
                (java.util.concurrent.Executor) Runnable::run);
        ThreadFactory recording = task -> {
            Thread thread = new Thread(task, "jcable-test");
            thread.setDaemon(true);
            threads.add(thread);
            return thread;
        };
        node.threadFactory = NodeHarness.managed(ManagedThreadFactory.class, recording);
        return node;
    }

    @Test
    void aBadChannelFailsTheStartAndLeavesNoTimerOrThread() throws Exception {
        Node node = node(new ChannelDiscovery() {
            @Override
            public Channels channels() {
                throw new IllegalArgumentException("@CableChannel Broken: bad method");
            }
        });
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, node::start);
        assertEquals("@CableChannel Broken: bad method", e.getMessage());
        assertNothingLeft();
    }

    @Test
    void twoConnectionIdentifiersFailTheStartAndLeaveNoTimerOrThread() throws Exception {
        Node node = node(new ChannelDiscovery() {
            @Override
            public Channels channels() {
                return Channels.none();
            }

            @Override
            public dev.jcable.api.ConnectionIdentifier identifier() {
                throw new IllegalStateException("more than one ConnectionIdentifier bean; jcable calls exactly one");
            }
        });
        assertThrows(IllegalStateException.class, node::start);
        assertNothingLeft();
    }

    /** A failure after the broker, the pools and the liveness timer started (here: the stats line's timer). */
    @Test
    void aFailureAfterTheBrokerStartedStopsWhatStarted() throws Exception {
        ScheduledThreadPoolExecutor refusing = new ScheduledThreadPoolExecutor(1) {
            @Override
            public java.util.concurrent.ScheduledFuture<?> scheduleAtFixedRate(Runnable task, long delay, long period,
                                                                             java.util.concurrent.TimeUnit unit) {
                if (unit.toMillis(period) == 5_000) {
                    throw new IllegalStateException("no timer for the stats line");
                }
                return timers.scheduleAtFixedRate(task, delay, period, unit);
            }
        };
        Node node = node(null);
        node.channelTypes = Channels.none();
        node.scheduler = NodeHarness.managed(ManagedScheduledExecutorService.class, refusing);
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class, node::start);
            assertEquals("no timer for the stats line", e.getMessage());
            assertNothingLeft();
            assertTrue(node.draining(), "a node that failed to start takes no connection");
        } finally {
            refusing.shutdownNow();
        }
    }

    private void assertNothingLeft() throws InterruptedException {
        timers.purge(); // cancelled tasks leave the queue
        assertEquals(List.of(), List.copyOf(timers.getQueue()), "a timer is still scheduled");
        for (Thread thread : threads) {
            thread.join(10_000);
            assertTrue(!thread.isAlive(), thread + " still runs");
        }
        // the webhook's JDK client (presence_webhook_url is set) starts a selector thread only at its first POST
        assertEquals(List.of(), Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getId() > before && t.getName().startsWith("HttpClient-")).map(Thread::getName)
                .toList());
    }
}
