package dev.jcable.events;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jcable.api.PresenceJoined;
import dev.jcable.hub.DeliveryPool;
import dev.jcable.metrics.Counter;
import dev.jcable.protocol.PresenceEvent;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

/** Application events are queued off the caller's thread, and the queue is bounded: an observer behind loses some. */
class NotifierTest {

    @Test
    void eventsOverTheBoundAreDroppedAndCountedAndTheRestAreDeliveredInOrder() {
        Deque<Runnable> held = new ArrayDeque<>();
        Executor executor = held::add;
        List<Object> fired = new ArrayList<>();
        Notifier notifier = new Notifier(new DeliveryPool(executor, 2), List.of(fired::add), null);
        long dropped = Counter.DROPPED_APPLICATION_EVENT.count();
        for (int i = 0; i < DeliveryPool.MAX_QUEUED + 5; i++) {
            notifier.presenceChanged("room", PresenceEvent.join("m" + i, null), i + 1);
        }
        assertEquals(5, Counter.DROPPED_APPLICATION_EVENT.count() - dropped, "counted in jcable_dropped_total");
        Runnable task;
        while ((task = held.poll()) != null) {
            task.run();
        }
        assertEquals(DeliveryPool.MAX_QUEUED, fired.size());
        assertEquals("m0", ((PresenceJoined) fired.get(0)).id());
        assertEquals("m" + (DeliveryPool.MAX_QUEUED - 1), ((PresenceJoined) fired.get(fired.size() - 1)).id());
        notifier.presenceChanged("room", PresenceEvent.join("later", null), 1);
        while ((task = held.poll()) != null) {
            task.run();
        }
        assertEquals("later", ((PresenceJoined) fired.get(fired.size() - 1)).id(), "caught up: events go again");
    }
}
