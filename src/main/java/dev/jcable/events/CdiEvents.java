package dev.jcable.events;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
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

    @Override
    public void fire(Object event) {
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
