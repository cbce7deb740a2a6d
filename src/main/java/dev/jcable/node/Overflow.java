package dev.jcable.node;

import dev.jcable.metrics.Counter;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Work dropped at one bound: counted every time ({@code jcable_dropped}), logged at WARNING the first time on this
 * node and at FINE after, so that a client that keeps a queue full cannot flood the log.
 */
final class Overflow {

    private static final Logger LOG = Logger.getLogger(Node.class.getName());

    private final Counter counter;
    private final AtomicBoolean said = new AtomicBoolean();

    Overflow(Counter counter) {
        this.counter = counter;
    }

    void dropped(Supplier<String> why) {
        counter.increment();
        if (said.compareAndSet(false, true)) {
            LOG.warning(() -> "jcable: " + why.get() + " (logged once; every one is counted in "
                    + counter.metric() + "_total)");
        } else {
            LOG.fine(why);
        }
    }
}
