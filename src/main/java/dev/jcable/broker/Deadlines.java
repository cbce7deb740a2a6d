package dev.jcable.broker;

import java.util.PriorityQueue;

/**
 * The memory broker's single queue of things that expire: a disconnected session's presence, a stream's oldest
 * history entry, a cached session. Only pending work is in it, and the {@link MemoryBroker.Wakeup} is armed for the
 * earliest, so nothing runs while nothing is due. Adding and polling lock the queue only briefly.
 */
final class Deadlines {

    enum Kind { PRESENCE, HISTORY, SESSION }

    record Due(long at, Kind kind, String key) implements Comparable<Due> {
        @Override
        public int compareTo(Due other) {
            return Long.compare(at, other.at);
        }
    }

    private final PriorityQueue<Due> queue = new PriorityQueue<>();
    private final MemoryBroker.Wakeup wakeup;

    Deadlines(MemoryBroker.Wakeup wakeup) {
        this.wakeup = wakeup;
    }

    void add(long at, Kind kind, String key) {
        synchronized (queue) {
            queue.add(new Due(at, kind, key));
        }
        wakeup.at(at);
    }

    /** The next item due at {@code now}, or null. */
    Due poll(long now) {
        synchronized (queue) {
            Due next = queue.peek();
            return next != null && next.at <= now ? queue.poll() : null;
        }
    }

    /** The earliest pending deadline, or {@link Long#MAX_VALUE}. */
    long next() {
        synchronized (queue) {
            Due next = queue.peek();
            return next == null ? Long.MAX_VALUE : next.at;
        }
    }

    void clear() {
        synchronized (queue) {
            queue.clear();
        }
    }
}
