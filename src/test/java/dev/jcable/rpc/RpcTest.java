package dev.jcable.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.config.RpcSettings;
import dev.jcable.metrics.Counter;
import dev.jcable.rpc.RpcMessages.CommandCall;
import dev.jcable.rpc.RpcMessages.CommandReply;
import dev.jcable.rpc.RpcMessages.ConnectReply;
import dev.jcable.rpc.RpcMessages.DisconnectCall;
import dev.jcable.rpc.RpcMessages.Env;
import dev.jcable.rpc.RpcMessages.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The controller: the cap on calls in flight, their order, anycable-go's retries, the wait for a slot. */
public class RpcTest {

    private final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
    private final AtomicLong now = new AtomicLong(1_000);
    private final FakeTransport transport = new FakeTransport();

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    private Rpc rpc(int concurrency) {
        return new Rpc(new RpcSettings(RpcSettings.Transport.HTTP, "http://app", concurrency, Duration.ofMillis(3000),
                false, Duration.ofSeconds(3), "", List.of("cookie"), 100, Duration.ofSeconds(1), false),
                transport, scheduler, now::get);
    }

    private static CommandCall call(String identifier) {
        return new CommandCall("subscribe", identifier, "{}", null, env());
    }

    private static Env env() {
        return new Env("http://h/cable", Map.of(), Map.of(), Map.of());
    }

    private static CommandReply ok() {
        return new CommandReply(Status.SUCCESS, false, false, List.of(), List.of(), List.of(), "", Map.of(), Map.of(),
                null);
    }

    @Test
    void atMostConcurrencyCallsAreInFlightAndTheOthersStartInOrder() throws Exception {
        Rpc rpc = rpc(2);
        List<CompletableFuture<CommandReply>> results = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            results.add(rpc.command("s" + i, call("c" + i)));
        }
        assertEquals(List.of("c0", "c1"), transport.started());
        assertEquals(2, rpc.busy());
        assertEquals(3, rpc.pending());
        transport.answer(1, ok());
        assertEquals(List.of("c0", "c1", "c2"), transport.started());
        transport.answer(0, ok());
        transport.answer(2, ok());
        assertEquals(List.of("c0", "c1", "c2", "c3", "c4"), transport.started());
        assertEquals(0, rpc.pending());
        transport.answer(3, ok());
        transport.answer(4, ok());
        for (CompletableFuture<CommandReply> result : results) {
            assertSame(Status.SUCCESS, result.get(1, TimeUnit.SECONDS).status());
        }
        assertEquals(0, rpc.busy());
    }

    @Test
    void anUnavailableBackendIsRetriedWithBackoffThenAnswers() throws Exception {
        Rpc rpc = rpc(1);
        long retries = Counter.RPC_RETRIES.count();
        CompletableFuture<CommandReply> result = rpc.command("s", call("c"));
        transport.fail(0, new RpcException(RpcException.Kind.UNAVAILABLE, "refused"));
        transport.awaitStarted(2); // retried after 100 ms
        transport.fail(1, new RpcException(RpcException.Kind.EXHAUSTED, "busy"));
        transport.awaitStarted(3); // after 10 ms
        transport.answer(2, ok());
        assertSame(Status.SUCCESS, result.get(5, TimeUnit.SECONDS).status());
        assertEquals(retries + 2, Counter.RPC_RETRIES.count());
    }

    @Test
    void aFailureThatIsNotUnavailabilityIsNotRetried() {
        Rpc rpc = rpc(1);
        long errors = Counter.RPC_ERROR.count();
        CompletableFuture<CommandReply> result = rpc.command("s", call("c"));
        transport.fail(0, new RpcException(RpcException.Kind.TIMEOUT, "slow"));
        ExecutionException e = assertThrows(ExecutionException.class, () -> result.get(1, TimeUnit.SECONDS));
        assertEquals(RpcException.Kind.TIMEOUT, ((RpcException) e.getCause()).kind());
        assertEquals(1, transport.started().size());
        assertEquals(errors + 1, Counter.RPC_ERROR.count());
        assertEquals(0, rpc.busy()); // the slot is free again
    }

    @Test
    void aCallThatWaitedLongerThanTheRequestTimeoutForASlotFails() throws Exception {
        Rpc rpc = rpc(1);
        CompletableFuture<CommandReply> first = rpc.command("s", call("slow"));
        CompletableFuture<CommandReply> second = rpc.command("s", call("late"));
        now.addAndGet(3001);
        transport.answer(0, ok());
        assertSame(Status.SUCCESS, first.get(1, TimeUnit.SECONDS).status());
        ExecutionException e = assertThrows(ExecutionException.class, () -> second.get(1, TimeUnit.SECONDS));
        assertEquals(RpcException.Kind.TIMEOUT, ((RpcException) e.getCause()).kind());
        assertEquals(List.of("slow"), transport.started()); // never sent
    }

    @Test
    void disconnectCallsAreRateLimitedAndFlushedAtShutdown() throws Exception {
        Rpc rpc = new Rpc(new RpcSettings(RpcSettings.Transport.HTTP, "http://app", 28, Duration.ofMillis(3000),
                false, Duration.ofSeconds(3), "", List.of(), 10, Duration.ofSeconds(2), false),
                transport, scheduler, now::get);
        for (int i = 0; i < 25; i++) {
            rpc.disconnectLater("s" + i, new DisconnectCall("{}", List.of(), env()));
        }
        transport.awaitStarted(1); // a tick lets one through at 10/s
        assertTrue(transport.started().size() <= 2, transport.started().toString());
        CompletableFuture<Void> shutdown = CompletableFuture.runAsync(rpc::shutdown);
        transport.awaitStarted(25); // the rest at once
        for (int i = 0; i < 25; i++) {
            transport.answerDisconnect(i);
        }
        shutdown.get(5, TimeUnit.SECONDS);
        assertFalse(transport.started().isEmpty());
    }

    /** Calls are held until the test answers them, by their order of arrival. */
    public static final class FakeTransport implements RpcTransport {
        private final List<String> started = new CopyOnWriteArrayList<>();
        private final List<CompletableFuture<Object>> calls = new CopyOnWriteArrayList<>();

        @Override
        public CompletableFuture<ConnectReply> connect(String sid, Env env) {
            return track("connect");
        }

        @Override
        public CompletableFuture<CommandReply> command(String sid, CommandCall call) {
            return track(call.identifier());
        }

        @Override
        public CompletableFuture<Status> disconnect(String sid, DisconnectCall call) {
            return track("disconnect " + sid);
        }

        @SuppressWarnings("unchecked")
        private <T> CompletableFuture<T> track(String name) {
            CompletableFuture<Object> call = new CompletableFuture<>();
            calls.add(call);
            started.add(name);
            return (CompletableFuture<T>) (CompletableFuture<?>) call;
        }

        public List<String> started() {
            return List.copyOf(started);
        }

        public void awaitStarted(int n) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (started.size() < n) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("only " + started + " started");
                }
                Thread.sleep(5); // polling for a condition
            }
        }

        public void answer(int index, Object reply) {
            calls.get(index).complete(reply);
        }

        public void answerDisconnect(int index) {
            calls.get(index).complete(Status.SUCCESS);
        }

        public void fail(int index, Throwable error) {
            calls.get(index).completeExceptionally(error);
        }

        @Override
        public void close() {
        }
    }
}
