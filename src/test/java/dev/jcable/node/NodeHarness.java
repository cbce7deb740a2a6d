package dev.jcable.node;

import dev.jcable.broker.MemoryBroker;
import dev.jcable.config.ConfigLoader;
import dev.jcable.config.ConfigSource;
import dev.jcable.config.Option;
import dev.jcable.hub.Hub;
import dev.jcable.session.CableSession;
import dev.jcable.session.OutboxTest;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * A real {@link Node} outside a container: the configuration from {@link ConfigLoader}, the container's managed
 * executors stood in for by a plain scheduler, sockets faked ({@link OutboxTest.FakeSocket}, writes completing at
 * once). Work the node hands to its executor runs on the caller's thread, so a test sees every effect when a call
 * returns.
 */
public final class NodeHarness implements AutoCloseable {

    public final Node node = new Node();
    private final ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1);

    public NodeHarness(Map<Option, String> options) {
        this(options, null, null);
    }

    /** A node with the application's channels and connection identifier (either may be null). */
    NodeHarness(Map<Option, String> options, dev.jcable.channels.Channels channels,
                dev.jcable.api.ConnectionIdentifier identifier) {
        this(options, channels, identifier, null);
    }

    /** … and a sink for the application events (CDI observers in a container). */
    NodeHarness(Map<Option, String> options, dev.jcable.channels.Channels channels,
                dev.jcable.api.ConnectionIdentifier identifier, dev.jcable.events.EventSink events) {
        this(options, channels, identifier, events, null, null);
    }

    /**
     * A node whose fan-outs and application events run on {@code deliveries} (a test's executor that runs them when
     * the test says), not inline.
     */
    NodeHarness(Map<Option, String> options, java.util.concurrent.Executor deliveries) {
        this(options, null, null, null, deliveries, null);
    }

    /** A node whose RPC calls (with {@code rpc_host} set) travel by {@code rpc}, a test's transport. */
    NodeHarness(Map<Option, String> options, dev.jcable.rpc.RpcTransport rpc) {
        this(options, null, null, null, null, rpc);
    }

    private NodeHarness(Map<Option, String> options, dev.jcable.channels.Channels channels,
                        dev.jcable.api.ConnectionIdentifier identifier, dev.jcable.events.EventSink events,
                        java.util.concurrent.Executor deliveries, dev.jcable.rpc.RpcTransport rpc) {
        node.rpcTransport = rpc;
        node.channelTypes = channels;
        node.identifier = identifier;
        node.applicationEvents = events;
        Map<Option, String> values = new EnumMap<>(Option.class);
        values.put(Option.SECRET, "s3Krit");
        values.putAll(options);
        node.config = new ConfigLoader(java.util.List.of(ConfigSource.of("test", values))).load();
        node.scheduler = managed(ManagedScheduledExecutorService.class, timers);
        node.executor = managed(ManagedExecutorService.class, (java.util.concurrent.Executor) Runnable::run);
        node.threadFactory = managed(ManagedThreadFactory.class, new Daemons()); // for broker=redis
        // fan-outs inline, as the executor runs everything, unless the test holds them
        node.directExecutor = deliveries != null ? deliveries : node.executor;
        node.start();
    }

    /** A managed executor that delegates what the node calls (execute, schedule…) to {@code delegate}. */
    @SuppressWarnings("unchecked")
    static <T> T managed(Class<T> type, Object delegate) {
        return (T) Proxy.newProxyInstance(NodeHarness.class.getClassLoader(), new Class<?>[] {type}, (p, method, args) -> {
            if (method.getName().equals("execute") && !(delegate instanceof ScheduledThreadPoolExecutor)) {
                ((Runnable) args[0]).run();
                return null;
            }
            try {
                return delegate.getClass().getMethod(method.getName(), method.getParameterTypes()).invoke(delegate, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    /** Daemon threads, so a test that forgets to close its node still lets the JVM end. */
    static final class Daemons implements java.util.concurrent.ThreadFactory {
        @Override
        public Thread newThread(Runnable task) {
            Thread thread = new Thread(task, "harness-redis");
            thread.setDaemon(true);
            return thread;
        }
    }

    /** Opens a connection of {@code protocol}; its welcome is the first frame on the socket. */
    public OutboxTest.FakeSocket open(String protocol) {
        return open(protocol, Map.of());
    }

    /** Opens a connection with these query parameters ({@code /cable?uid=1}). */
    OutboxTest.FakeSocket open(String protocol, Map<String, String> query) {
        OutboxTest.FakeSocket socket = new OutboxTest.FakeSocket(true, protocol);
        query.forEach((name, value) -> socket.query.put(name, java.util.List.of(value)));
        node.open(socket.session);
        return socket;
    }

    CableSession session(OutboxTest.FakeSocket socket) {
        return (CableSession) socket.userProperties.get("jcable.session");
    }

    /**
     * The unit tests' barrier for a negative check ("nothing more arrives"): returns once every fan-out, presence
     * event and whisper of {@code streams} queued so far on the node's delivery pool has run (a marker queued behind
     * them on each stream's lane has run). Needed wherever another thread can deliver: the harness runs a fan-out on
     * the thread that queues it only while no other thread drains the stream's shard; the node's timer (a TTL's
     * expiry), a test's own threads, or a deliveries executor the test passed may be draining it, and then deliver
     * it later. A reply to the connection's own command needs no barrier: it is written before the command returns.
     */
    void quiesce(String... streams) {
        for (String stream : streams) {
            java.util.concurrent.CountDownLatch reached = new java.util.concurrent.CountDownLatch(1);
            node.inStreamOrder(stream, reached::countDown);
            try {
                if (!reached.await(30, java.util.concurrent.TimeUnit.SECONDS)) {
                    throw new AssertionError("the delivery lane of stream " + stream + " did not drain within 30 s"
                            + " (or it is over its bound, and the marker was dropped)");
                }
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    /** What the node has scheduled on its timers (cancelled tasks included, until they would have run). */
    java.util.concurrent.BlockingQueue<Runnable> scheduled() {
        return timers.getQueue();
    }

    Hub hub() {
        return node.parts().hub;
    }

    NodeMetrics metrics() {
        return node.parts().metrics;
    }

    MemoryBroker broker() {
        return (MemoryBroker) node.parts().broker;
    }

    @Override
    public void close() {
        node.shutdown();
        timers.shutdownNow();
    }
}
