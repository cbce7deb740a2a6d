package dev.jcable.events;

/** Where application events go: CDI observers in a container ({@link CdiEvents}), a list in tests. */
@FunctionalInterface
public interface EventSink {

    /** Delivers {@code event}; whatever the receivers do or throw stays with them. */
    void fire(Object event);
}
