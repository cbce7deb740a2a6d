package dev.jcable.broker;

/**
 * The broker's store cannot be reached (Redis down, a command timed out). The operation did not happen; the HTTP
 * boundary answers 503 and a client command gets an error reply, while connections stay open.
 */
public class BrokerUnavailableException extends RuntimeException {

    public BrokerUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
