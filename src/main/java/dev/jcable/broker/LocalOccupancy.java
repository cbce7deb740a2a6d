package dev.jcable.broker;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which streams have subscribers on this node, counted at {@link Broker#attach} and {@link Broker#detach}: on one
 * node, the cluster's occupancy. Each edge (first subscriber in, last one out) is reported inside the count's
 * atomic update, so a stream's edges reach the listener in the order they happened.
 */
final class LocalOccupancy {

    private final ConcurrentHashMap<String, Integer> subscribers = new ConcurrentHashMap<>();

    void attached(String stream, BrokerListener listener) {
        subscribers.compute(stream, (s, count) -> {
            if (count == null) {
                listener.occupancyChanged(stream, true); // only queues
                return 1;
            }
            return count + 1;
        });
    }

    void detached(String stream, BrokerListener listener) {
        subscribers.computeIfPresent(stream, (s, count) -> {
            if (count == 1) {
                listener.occupancyChanged(stream, false);
                return null;
            }
            return count - 1;
        });
    }

    int subscribers(String stream) {
        return subscribers.getOrDefault(stream, 0);
    }

    Set<String> streams(String prefix) {
        return StreamNames.startingWith(subscribers.keySet(), prefix);
    }
}
