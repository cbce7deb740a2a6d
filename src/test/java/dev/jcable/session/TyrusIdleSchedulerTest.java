package dev.jcable.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.websocket.Session;
import java.lang.reflect.Constructor;
import java.lang.reflect.Proxy;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.glassfish.tyrus.core.TyrusSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The rule of {@link TyrusIdleScheduler}, against Tyrus' own idle-timeout command class. */
class TyrusIdleSchedulerTest {

    /** The container's scheduler, counting what reaches it. */
    private final AtomicInteger scheduled = new AtomicInteger();
    private final ScheduledThreadPoolExecutor container = new ScheduledThreadPoolExecutor(1) {
        @Override
        public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            scheduled.incrementAndGet();
            return super.schedule(command, delay, unit);
        }

        @Override
        public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initial, long period, TimeUnit unit) {
            scheduled.incrementAndGet();
            return super.scheduleAtFixedRate(command, initial, period, unit);
        }
    };
    private final AtomicLong maxIdle = new AtomicLong();
    private final Session session = (Session) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {Session.class}, (proxy, method, args) -> switch (method.getName()) {
                case "getMaxIdleTimeout" -> maxIdle.get();
                default -> throw new UnsupportedOperationException(method.getName());
            });
    private final TyrusIdleScheduler scheduler = new TyrusIdleScheduler(container, session);

    @AfterEach
    void stop() {
        container.shutdownNow();
    }

    /** What Tyrus schedules per send, ping, pong and received message. */
    private static Runnable idleCommand() throws ReflectiveOperationException {
        Class<?> type = Class.forName(TyrusSession.class.getName() + "$IdleTimeoutCommand");
        Constructor<?> constructor = type.getDeclaredConstructor(TyrusSession.class);
        constructor.setAccessible(true);
        return (Runnable) constructor.newInstance((Object) null);
    }

    @Test
    void idleCommandWithTheTimeoutOffIsNotScheduled() throws Exception {
        maxIdle.set(0);
        for (int i = 0; i < 1000; i++) {
            ScheduledFuture<?> future = scheduler.schedule(idleCommand(), 0, TimeUnit.MILLISECONDS);
            assertTrue(future.isDone());
            assertFalse(future.cancel(true)); // Tyrus cancels the previous one before the next: harmless
        }
        assertEquals(0, scheduled.get());
        assertEquals(0, container.getCompletedTaskCount());
    }

    @Test
    void idleCommandWithATimeoutIsScheduledAsBefore() throws Exception {
        maxIdle.set(30_000);
        ScheduledFuture<?> future = scheduler.schedule(idleCommand(), 30_000, TimeUnit.MILLISECONDS);
        assertEquals(1, scheduled.get());
        assertFalse(future.isDone());
        assertTrue(future.cancel(false));
    }

    @Test
    void everythingElseReachesTheContainer() throws Exception {
        maxIdle.set(0);
        Runnable other = () -> { };
        scheduler.schedule(other, 0, TimeUnit.MILLISECONDS).get(5, TimeUnit.SECONDS);
        scheduler.scheduleAtFixedRate(other, 1, 1, TimeUnit.HOURS).cancel(false); // Tyrus' heartbeat
        assertEquals(2, scheduled.get());
        scheduler.shutdown(); // not the session's to stop
        assertFalse(container.isShutdown());
    }

    @Test
    void tyrusStillKeepsItsSchedulerWhereTheTransportSwapsIt() throws Exception {
        // TyrusTransport replaces this field per session; a Tyrus that renamed it would leave the container's (the
        // transport then logs one WARNING and goes on): caught here when the test dependency follows Payara's Tyrus
        assertSame(ScheduledExecutorService.class, TyrusSession.class.getDeclaredField("service").getType());
        assertEquals(idleCommand().getClass().getName(), TyrusIdleScheduler.IDLE_COMMAND);
    }
}
