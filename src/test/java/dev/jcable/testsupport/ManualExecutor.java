package dev.jcable.testsupport;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Executor;

/**
 * An executor whose tasks wait until the test runs them, so that what runs when is the test's to say (a stream's
 * delivery queue filled as a flood would fill it, a lane's drain held back). Safe to submit to from any thread.
 */
public final class ManualExecutor implements Executor {

    private final Deque<Runnable> tasks = new ArrayDeque<>();
    private int submitted;

    @Override
    public synchronized void execute(Runnable task) {
        submitted++;
        tasks.add(task);
    }

    /** Runs what is queued, and what that queues, until nothing is left. */
    public void runAll() {
        Runnable task;
        while ((task = poll()) != null) {
            task.run();
        }
    }

    /** Runs the oldest queued task. */
    public void runNext() {
        poll().run();
    }

    public synchronized int size() {
        return tasks.size();
    }

    public synchronized boolean isEmpty() {
        return tasks.isEmpty();
    }

    /** Tasks submitted since it was made, run or not. */
    public synchronized int submitted() {
        return submitted;
    }

    private synchronized Runnable poll() {
        return tasks.poll();
    }
}
