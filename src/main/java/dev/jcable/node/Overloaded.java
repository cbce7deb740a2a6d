package dev.jcable.node;

/**
 * A publication was turned away before it was stored: the fan-outs of its stream are too far behind. Nothing was
 * published; the caller may retry. {@code POST /_broadcast} answers 503.
 */
public final class Overloaded extends IllegalStateException {

    public Overloaded(String message) {
        super(message);
    }
}
