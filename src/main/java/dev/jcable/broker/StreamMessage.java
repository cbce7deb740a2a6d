package dev.jcable.broker;

/**
 * A publication as the broker delivers it. Durable messages carry their stream's {@code epoch} and
 * {@code offset} (first = 1); transient ones have {@code offset} 0 and no epoch.
 *
 * @param data          the payload as published
 * @param excludeSocket a session id that must not receive it, or null
 */
public record StreamMessage(String stream, String data, String excludeSocket, String epoch, long offset) {

    public boolean durable() {
        return offset > 0;
    }
}
