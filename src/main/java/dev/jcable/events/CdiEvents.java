package dev.jcable.events;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Fires jcable's events ({@code dev.jcable.api.PresenceJoined} and the others) to the application's observers:
 * synchronous ones ({@code @Observes}) on the calling thread, then asynchronous ones ({@code @ObservesAsync}) on the
 * container's executor. What an observer throws is logged and goes no further.
 */
@ApplicationScoped
public class CdiEvents implements EventSink {

    private static final Logger LOG = Logger.getLogger(CdiEvents.class.getName());

    @Inject
    Event<Object> events;

    @Inject
    BeanManager beans;

    /** Whether the application observes each event type at all (observers are fixed once deployed). */
    private final Map<Class<?>, Boolean> observed = new ConcurrentHashMap<>();

    @Override
    public void fire(Object event) {
        if (!observed.computeIfAbsent(event.getClass(), type -> !beans.resolveObserverMethods(event).isEmpty())) {
            return; // nobody listens: a presence churn costs no event dispatch
        }
        try {
            events.fire(event);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "jcable: an observer of " + event + " threw", e);
        }
        try {
            events.fireAsync(event).exceptionally(e -> {
                LOG.log(Level.WARNING, "jcable: an asynchronous observer of " + event + " threw", e);
                return null;
            });
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "jcable: could not fire " + event + " asynchronously", e);
        }
    }
}
