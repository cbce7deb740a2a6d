package dev.jcable.protocol;

/** A client frame that cannot be understood; the session ignores it (the contract never reports errors). */
public class ProtocolException extends Exception {

    public ProtocolException(String message) {
        super(message);
    }
}
