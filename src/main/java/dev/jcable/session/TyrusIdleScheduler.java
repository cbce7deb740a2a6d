package dev.jcable.session;

import jakarta.websocket.Session;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The scheduler one Tyrus session uses for its idle timeout, in place of the container's. Tyrus schedules an
 * {@code IdleTimeoutCommand} on every frame sent through its remote endpoint, every ping, every pong and every
 * message received, whatever the timeout (eclipse-ee4j/tyrus#487); on Payara the scheduler is the managed one, and
 * each task captures thread context with a {@code ServiceLoader} scan of the application's jars. With the timeout
 * off (jcable sets 0: {@link Liveness} finds dead peers) that command does nothing when it runs (it closes only when
 * {@code getMaxIdleTimeout() > 0}), so this scheduler does not schedule it at all. Everything else, and the command
 * whenever a timeout is set, goes to the container's scheduler as before.
 */
final class TyrusIdleScheduler extends AbstractExecutorService implements ScheduledExecutorService {

    static final String IDLE_COMMAND = "org.glassfish.tyrus.core.TyrusSession$IdleTimeoutCommand";

    private final ScheduledExecutorService container;
    private final Session session;

    TyrusIdleScheduler(ScheduledExecutorService container, Session session) {
        this.container = container;
        this.session = session;
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        if (session.getMaxIdleTimeout() <= 0 && command.getClass().getName().equals(IDLE_COMMAND)) {
            return Skipped.INSTANCE;
        }
        return container.schedule(command, delay, unit);
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        return container.schedule(callable, delay, unit);
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        return container.scheduleAtFixedRate(command, initialDelay, period, unit);
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        return container.scheduleWithFixedDelay(command, initialDelay, delay, unit);
    }

    @Override
    public void execute(Runnable command) {
        container.execute(command);
    }

    /** The container's scheduler is not this session's to stop. */
    @Override
    public void shutdown() {
    }

    @Override
    public List<Runnable> shutdownNow() {
        return List.of();
    }

    @Override
    public boolean isShutdown() {
        return container.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return container.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return container.awaitTermination(timeout, unit);
    }

    /** The future of a command that was not scheduled because running it would have done nothing. */
    private static final class Skipped implements ScheduledFuture<Object> {
        static final Skipped INSTANCE = new Skipped();

        @Override
        public long getDelay(TimeUnit unit) {
            return 0;
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(0, other.getDelay(TimeUnit.NANOSECONDS));
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            return false;
        }

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public boolean isDone() {
            return true;
        }

        @Override
        public Object get() {
            return null;
        }

        @Override
        public Object get(long timeout, TimeUnit unit) {
            return null;
        }
    }
}
