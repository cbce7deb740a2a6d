package dev.jcable.rpc;

import dev.jcable.config.RpcSettings;
import dev.jcable.rpc.RpcMessages.DisconnectCall;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;

/**
 * Disconnect calls of closed connections, sent at most {@code disconnect_rate} per second (a mass disconnect must
 * not flood the application), oldest first. At most {@link #MAX_QUEUED} wait; beyond, the oldest is dropped (counted,
 * logged once per overflow). At undeploy what is left is sent at once, waiting at most {@code disconnect_timeout}:
 * as in anycable-go, a Disconnect call is best effort.
 */
final class DisconnectQueue {

    private static final Logger LOG = Logger.getLogger(DisconnectQueue.class.getName());
    static final int MAX_QUEUED = 100_000;
    /** The rate is spent in ten portions a second. */
    private static final long TICK_MILLIS = 100;

    private final Rpc rpc;
    private final int rate;
    private final ArrayDeque<Item> queue = new ArrayDeque<>();
    private final ScheduledFuture<?> ticker;
    private double allowance;
    private boolean overflowing;
    private boolean stopped;

    DisconnectQueue(Rpc rpc, RpcSettings settings, ScheduledExecutorService scheduler) {
        this.rpc = rpc;
        this.rate = settings.disconnectRate();
        this.ticker = settings.disableDisconnect() ? null
                : scheduler.scheduleAtFixedRate(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    void add(String sid, DisconnectCall call) {
        boolean dropped = false;
        synchronized (this) {
            if (stopped) {
                return;
            }
            if (queue.size() >= MAX_QUEUED) {
                queue.poll();
                dropped = !overflowing;
                overflowing = true;
            } else if (queue.size() < MAX_QUEUED / 2) {
                overflowing = false;
            }
            queue.add(new Item(sid, call));
        }
        if (dropped) {
            LOG.warning("jcable: " + MAX_QUEUED + " RPC Disconnect calls are queued (disconnect_rate " + rate
                    + "/s); the oldest are dropped");
        }
    }

    synchronized int size() {
        return queue.size();
    }

    private void tick() {
        List<Item> due = new ArrayList<>();
        synchronized (this) {
            allowance = Math.min(rate, allowance + rate * TICK_MILLIS / 1000.0);
            while (allowance >= 1 && !queue.isEmpty()) {
                allowance--;
                due.add(queue.poll());
            }
        }
        due.forEach(item -> rpc.disconnectNow(item.sid, item.call));
    }

    /** Stops the rate, sends what is queued, waits for the answers at most {@code timeoutMillis}. */
    void flush(long timeoutMillis) {
        List<Item> left;
        synchronized (this) {
            stopped = true;
            left = new ArrayList<>(queue);
            queue.clear();
        }
        if (ticker != null) {
            ticker.cancel(false);
        }
        if (left.isEmpty()) {
            return;
        }
        CompletableFuture<?>[] calls = left.stream().map(item -> rpc.disconnectNow(item.sid, item.call))
                .toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(calls).get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            // each failure is counted and logged by the controller
        } catch (TimeoutException e) {
            long unanswered = java.util.Arrays.stream(calls).filter(c -> !c.isDone()).count();
            LOG.warning("jcable: " + unanswered + " of " + calls.length + " RPC Disconnect calls got no answer"
                    + " within disconnect_timeout at undeploy");
        }
    }

    private record Item(String sid, DisconnectCall call) {
    }
}
