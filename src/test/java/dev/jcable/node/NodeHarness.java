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
import java.lang.reflect.Field;
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
final class NodeHarness implements AutoCloseable {

    final Node node = new Node();
    private final ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1);

    NodeHarness(Map<Option, String> options) {
        Map<Option, String> values = new EnumMap<>(Option.class);
        values.put(Option.SECRET, "s3Krit");
        values.putAll(options);
        node.config = new ConfigLoader(java.util.List.of(ConfigSource.of("test", values))).load();
        node.scheduler = managed(ManagedScheduledExecutorService.class, timers);
        node.executor = managed(ManagedExecutorService.class, (java.util.concurrent.Executor) Runnable::run);
        node.directExecutor = node.executor; // fan-outs inline, as the executor runs everything
        node.start();
    }

    /** A managed executor that delegates what the node calls (execute, schedule…) to {@code delegate}. */
    @SuppressWarnings("unchecked")
    private static <T> T managed(Class<T> type, Object delegate) {
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

    /** Opens a connection of {@code protocol}; its welcome is the first frame on the socket. */
    OutboxTest.FakeSocket open(String protocol) {
        OutboxTest.FakeSocket socket = new OutboxTest.FakeSocket(true, protocol);
        node.open(socket.session);
        return socket;
    }

    CableSession session(OutboxTest.FakeSocket socket) {
        return (CableSession) socket.userProperties.get("jcable.session");
    }

    Hub hub() {
        return field("hub", Hub.class);
    }

    MemoryBroker broker() {
        return field("broker", MemoryBroker.class);
    }

    private <T> T field(String name, Class<T> type) {
        try {
            Field field = Node.class.getDeclaredField(name);
            field.setAccessible(true);
            return type.cast(field.get(node));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        node.shutdown();
        timers.shutdownNow();
    }
}
