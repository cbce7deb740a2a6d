package dev.jcable.rpc;

import dev.jcable.config.RpcSettings;
import dev.jcable.metrics.CableMetrics;
import dev.jcable.metrics.Counter;
import dev.jcable.rpc.RpcMessages.CommandCall;
import dev.jcable.rpc.RpcMessages.CommandReply;
import dev.jcable.rpc.RpcMessages.ConnectReply;
import dev.jcable.rpc.RpcMessages.DisconnectCall;
import dev.jcable.rpc.RpcMessages.Env;
import dev.jcable.rpc.RpcMessages.Status;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The RPC controller of one node. Every call returns at once with a future: no caller (a container thread above all)
 * ever waits for the backend. At most {@code rpc_concurrency} calls are in flight; the others wait in arrival order
 * (at most {@link #MAX_WAITING}, each at most {@code rpc_request_timeout}). A backend that is unavailable or exhausted
 * is retried as anycable-go does: after 100 ms (10 ms when exhausted), doubling, for as long as the retries add up to
 * at most 3 s, the call keeping its slot meanwhile. Disconnect calls go through {@link DisconnectQueue}.
 */
public final class Rpc {

    private static final Logger LOG = Logger.getLogger(Rpc.class.getName());
    /** Calls waiting for a slot at most; beyond, a call fails at once (the node is that far behind the backend). */
    public static final int MAX_WAITING = 10_000;
    private static final long RETRY_BUDGET_MILLIS = 3000;
    private static final long RETRY_UNAVAILABLE_MILLIS = 100;
    private static final long RETRY_EXHAUSTED_MILLIS = 10;

    private final RpcSettings settings;
    private final RpcTransport transport;
    private final ScheduledExecutorService scheduler;
    private final LongSupplier clock;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger waitingCount = new AtomicInteger();
    private final ConcurrentLinkedQueue<Waiting> waiting = new ConcurrentLinkedQueue<>();
    private final DisconnectQueue disconnects;
    private final CableMetrics.Gauges gauges = new CableMetrics.Gauges();

    public Rpc(RpcSettings settings, RpcTransport transport, ScheduledExecutorService scheduler, LongSupplier clock) {
        this.settings = settings;
        this.transport = transport;
        this.scheduler = scheduler;
        this.clock = clock;
        this.disconnects = new DisconnectQueue(this, settings, scheduler);
        gauges.add("anycable_go_rpc_pending_num", "The number of pending RPC calls", waitingCount::get)
                .add("anycable_go_rpc_capacity_num", "The max number of concurrent RPC calls allowed",
                        settings::concurrency);
        LOG.info(() -> "jcable: RPC over " + settings.transport() + " at " + settings.host() + " (concurrency "
                + settings.concurrency() + ")");
    }

    public CompletableFuture<ConnectReply> connect(String sid, Env env) {
        return call("Connect", sid, () -> transport.connect(sid, env));
    }

    public CompletableFuture<CommandReply> command(String sid, CommandCall call) {
        return call("Command", sid, () -> transport.command(sid, call));
    }

    /** Queues a Disconnect call (rate-limited; dropped when {@code disable_disconnect}). */
    public void disconnectLater(String sid, DisconnectCall call) {
        if (!settings.disableDisconnect()) {
            disconnects.add(sid, call);
        }
    }

    CompletableFuture<Status> disconnectNow(String sid, DisconnectCall call) {
        return call("Disconnect", sid, () -> transport.disconnect(sid, call)).thenApply(status -> {
            if (status != Status.SUCCESS) {
                Counter.RPC_ERROR.increment();
            }
            return status;
        });
    }

    /** Calls waiting for a slot now. */
    public int pending() {
        return waitingCount.get();
    }

    /** Calls in flight now. */
    public int busy() {
        return inFlight.get();
    }

    /** Sends what Disconnect calls are queued (waiting at most {@code disconnect_timeout}), then closes. */
    public void shutdown() {
        disconnects.flush(settings.disconnectTimeout().toMillis());
        gauges.close();
        transport.close();
    }

    private <T> CompletableFuture<T> call(String name, String sid, Supplier<CompletableFuture<T>> attempt) {
        Counter.RPC_CALL.increment();
        CompletableFuture<T> result = new CompletableFuture<>();
        result.whenComplete((value, error) -> {
            if (error != null) {
                Counter.RPC_ERROR.increment();
                LOG.log(Level.FINE, "jcable: RPC " + name + " of session " + sid + " failed", error);
            }
        });
        if (waitingCount.incrementAndGet() > MAX_WAITING) {
            waitingCount.decrementAndGet();
            result.completeExceptionally(new RpcException(RpcException.Kind.EXHAUSTED,
                    MAX_WAITING + " RPC calls are waiting already"));
            return result;
        }
        waiting.add(new Waiting(clock.getAsLong(), result, () -> attempt(attempt, result, 0, 0)));
        pump();
        return result;
    }

    /** Starts waiting calls while there are free slots. */
    private void pump() {
        while (true) {
            int busy = inFlight.get();
            if (busy >= settings.concurrency()) {
                return;
            }
            if (!inFlight.compareAndSet(busy, busy + 1)) {
                continue;
            }
            Waiting next = waiting.poll();
            if (next == null) {
                inFlight.decrementAndGet();
                if (waiting.isEmpty()) {
                    return; // else one was added while this held the slot: go round again
                }
                continue;
            }
            waitingCount.decrementAndGet();
            next.result.whenComplete((value, error) -> {
                inFlight.decrementAndGet();
                pump();
            });
            if (clock.getAsLong() - next.since > settings.requestTimeout().toMillis()) {
                next.result.completeExceptionally(new RpcException(RpcException.Kind.TIMEOUT,
                        "waited more than rpc_request_timeout for a free slot (rpc_concurrency "
                                + settings.concurrency() + ")"));
            } else {
                next.start.run();
            }
        }
    }

    private <T> void attempt(Supplier<CompletableFuture<T>> attempt, CompletableFuture<T> result, int tries,
                             long retried) {
        CompletableFuture<T> call;
        try {
            call = attempt.get();
        } catch (RuntimeException e) {
            result.completeExceptionally(RpcException.of(e));
            return;
        }
        call.whenComplete((value, error) -> {
            if (error == null) {
                result.complete(value);
                return;
            }
            RpcException failure = RpcException.of(error);
            long delay = (failure.kind() == RpcException.Kind.EXHAUSTED ? RETRY_EXHAUSTED_MILLIS
                    : RETRY_UNAVAILABLE_MILLIS) << Math.min(tries, 20);
            if (!failure.retryable() || retried + delay > RETRY_BUDGET_MILLIS) {
                result.completeExceptionally(failure);
                return;
            }
            Counter.RPC_RETRIES.increment();
            try {
                scheduler.schedule(() -> attempt(attempt, result, tries + 1, retried + delay), delay,
                        TimeUnit.MILLISECONDS);
            } catch (RuntimeException e) { // the scheduler is gone: the deployment is ending
                result.completeExceptionally(failure);
            }
        });
    }

    private record Waiting(long since, CompletableFuture<?> result, Runnable start) {
    }
}
