package dev.jcable.it.app;

import jakarta.enterprise.context.RequestScoped;

/** A request-scoped bean: usable from a channel only inside a request context. */
@RequestScoped
public class RequestStamp {

    public String value() {
        return "request-" + System.identityHashCode(this);
    }
}
