package dev.jcable.broker.redis;

import dev.jcable.broker.BrokerListener;
import dev.jcable.broker.BrokerSettings;
import dev.jcable.broker.StreamMessage;
import dev.jcable.protocol.PresenceEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * One jcable node as the Redis broker sees it: a {@link RedisBroker} with its own executors and a listener that
 * records, in order, every message ({@code m <stream> <offset> <data>}) and presence event
 * ({@code join <stream> <id> <info>}, {@code leave <stream> <id>}) delivered to it.
 */
final class TestNode implements BrokerListener, AutoCloseable {

    static BrokerSettings settings(Duration presenceTtl, int maxMembers, int historyLimit, Duration historyTtl) {
        return new BrokerSettings(presenceTtl, maxMembers, historyLimit, historyTtl, Duration.ofSeconds(300),
                1_000_000);
    }

    final List<Thread> threads = new ArrayList<>();
    final RedisBroker broker;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2); // a container's managed scheduler has several threads
    private final List<String> events = new ArrayList<>();
    private final List<String> changes = new ArrayList<>();
    /** Presence events delivered and transitions reported, with their sequence numbers: {@code <stream> <seq> <+|-><id>}. */
    private final List<String> numbered = new ArrayList<>();
    private final List<String> numberedChanges = new ArrayList<>();

    /** A node connected to Redis (the broker connects in the background: this waits for it, up to 10 s). */
    TestNode(String url, String prefix, BrokerSettings settings) {
        this(url, prefix, settings, true);
    }

    TestNode(String url, String prefix, BrokerSettings settings, boolean awaitConnected) {
        this(new RedisSettings(url, prefix), settings, awaitConnected);
    }

    /** A node whose broker tracks occupancy (as in Pusher mode). */
    static TestNode tracking(String url, String prefix, BrokerSettings settings) {
        return new TestNode(new RedisSettings(url, prefix, true), settings, true);
    }

    private TestNode(RedisSettings redisSettings, BrokerSettings settings, boolean awaitConnected) {
        ThreadFactory factory = task -> {
            Thread thread = new Thread(task);
            synchronized (threads) {
                threads.add(thread);
            }
            return thread;
        };
        broker = new RedisBroker(redisSettings, settings, factory, executor, scheduler);
        broker.start(this);
        if (awaitConnected && !await(broker::healthy, 30)) { // generous: the test machine is shared
            throw new IllegalStateException("the broker did not connect to " + redisSettings.url());
        }
    }

    @Override
    public void deliver(StreamMessage message) {
        record("m " + message.stream() + " " + message.epoch() + " " + message.offset() + " " + message.data()
                + (message.excludeSocket() == null ? "" : " -" + message.excludeSocket()));
    }

    @Override
    public void presence(String stream, PresenceEvent event) {
        synchronized (numbered) {
            numbered.add(numbered(stream, event));
        }
        record(event.join() ? "join " + stream + " " + event.id() + " " + event.info() : "leave " + stream + " "
                + event.id());
    }

    @Override
    public void presenceLost(String stream, long sinceMillis) {
        record("lost " + stream);
    }

    @Override
    public void epochChanged(String stream) {
        record("epoch " + stream);
    }

    @Override
    public void command(dev.jcable.broker.RemoteCommand command) {
        record("disconnect " + command.identifiers() + " " + command.reconnect());
    }

    /** Transitions this node reported as its own ({@code join …} / {@code leave …}), apart from delivered events. */
    @Override
    public void presenceChanged(String stream, PresenceEvent event, int members) {
        synchronized (numberedChanges) {
            numberedChanges.add(numbered(stream, event));
        }
        synchronized (changes) {
            changes.add(event.join() ? "join " + stream + " " + event.id() + " " + event.info()
                    : "leave " + stream + " " + event.id() + (members == 0 ? " (vacated)" : ""));
        }
    }

    /** Occupancy edges this node reported ({@code occupied …} / {@code vacated …}), among its changes. */
    @Override
    public void occupancyChanged(String stream, boolean occupied) {
        synchronized (changes) {
            changes.add((occupied ? "occupied " : "vacated ") + stream);
        }
    }

    private static String numbered(String stream, PresenceEvent event) {
        return stream + " " + event.seq() + " " + (event.join() ? "+" : "-") + event.id();
    }

    /** The presence events delivered here, each as {@code <stream> <seq> <+|-><id>}, in delivery order. */
    List<String> numbered() {
        synchronized (numbered) {
            return List.copyOf(numbered);
        }
    }

    /** The transitions this node reported as its own, as {@link #numbered()}. */
    List<String> numberedChanges() {
        synchronized (numberedChanges) {
            return List.copyOf(numberedChanges);
        }
    }

    List<String> changes() {
        synchronized (changes) {
            return List.copyOf(changes);
        }
    }

    private void record(String event) {
        synchronized (events) {
            events.add(event);
        }
    }

    List<String> events() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    List<String> events(String startingWith) {
        return events().stream().filter(e -> e.startsWith(startingWith)).toList();
    }

    /**
     * The barrier of a negative check ("no second join", "nothing more"): publishes one marker to {@code stream}
     * through {@code via} and waits until each of {@code nodes} (subscribed to the stream) has delivered it, then
     * drops it from their events. Redis keeps one channel's publish order, and a node hands a stream's messages and
     * presence events to its listener in arrival order, so whatever was published on the stream before the marker,
     * from any node, has been delivered to each of them by then. The marker is a real publication: it takes the
     * stream's next offset. It proves nothing about what is not published yet (a leave a future sweep will emit).
     */
    static void quiesce(String stream, TestNode via, TestNode... nodes) {
        String marker = "quiet-" + java.util.UUID.randomUUID();
        via.broker.publish(new dev.jcable.broker.Publication(stream, marker));
        for (TestNode node : nodes) {
            if (!await(() -> node.events().stream().anyMatch(e -> e.startsWith("m " + stream + " ")
                    && e.endsWith(" " + marker)), 10)) {
                throw new AssertionError("the barrier's marker did not reach a node within 10 s: " + node.events());
            }
            synchronized (node.events) {
                node.events.removeIf(e -> e.startsWith("m " + stream + " ") && e.endsWith(" " + marker));
            }
        }
    }

    /** Waits until {@code condition} holds, up to {@code seconds}; false if it never did. */
    static boolean await(BooleanSupplier condition, double seconds) {
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        return true;
    }

    /** Attaches a (pretend) local subscriber of {@code stream}, returning the position it got. */
    long subscribe(String stream) {
        return broker.attach(stream, position -> { });
    }

    /** As kill -9: stops renewing and sweeping, nothing removed on the way out. */
    void crash() throws InterruptedException {
        broker.crash();
        shutdown();
    }

    @Override
    public void close() throws InterruptedException {
        broker.stop();
        shutdown();
    }

    private void shutdown() throws InterruptedException {
        scheduler.shutdownNow();
        executor.shutdownNow();
        scheduler.awaitTermination(5, TimeUnit.SECONDS);
        executor.awaitTermination(5, TimeUnit.SECONDS);
    }
}
