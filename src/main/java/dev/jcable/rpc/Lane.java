package dev.jcable.rpc;

import java.util.ArrayDeque;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One connection's commands, in order, without a thread of their own: a step runs on the thread that submitted it
 * when the lane is idle, else on the thread that finished the step before it. A step may return a stage (an RPC
 * call): the next one starts when it completes, so a connection's commands never overtake one another while nobody
 * waits for the backend. At most {@code capacity} steps wait.
 */
public final class Lane {

    private static final Logger LOG = Logger.getLogger(Lane.class.getName());

    private final ArrayDeque<Supplier<CompletionStage<?>>> steps = new ArrayDeque<>();
    private final int capacity;
    private boolean running;

    public Lane(int capacity) {
        this.capacity = capacity;
    }

    /** Queues a step (null result: it is done when it returns); false, and nothing queued, when the lane is full. */
    public boolean submit(Supplier<CompletionStage<?>> step) {
        synchronized (this) {
            if (steps.size() >= capacity) {
                return false;
            }
            steps.add(step);
            if (running) {
                return true;
            }
            running = true;
        }
        drain();
        return true;
    }

    /** Steps waiting, the running one not counted. */
    public synchronized int waiting() {
        return steps.size();
    }

    private void drain() {
        while (true) {
            Supplier<CompletionStage<?>> step;
            synchronized (this) {
                step = steps.poll();
                if (step == null) {
                    running = false;
                    return;
                }
            }
            CompletionStage<?> stage;
            try {
                stage = step.get();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "jcable: a connection's step failed; the next one runs", e);
                continue;
            }
            if (stage != null && !stage.toCompletableFuture().isDone()) {
                stage.whenComplete((value, error) -> drain());
                return;
            }
        }
    }
}
