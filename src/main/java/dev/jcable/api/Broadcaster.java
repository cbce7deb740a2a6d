package dev.jcable.api;

/**
 * Broadcasts to connected clients from server-side code of the same application:
 * <pre>{@code
 * @Inject Broadcaster cable;
 * cable.broadcast("chat/42", "{\"text\":\"hi\"}");
 * }</pre>
 * Delivery is asynchronous and never blocks on slow clients; the call returns once the broker accepted it.
 */
public interface Broadcaster {

    /**
     * Delivers {@code data} to every subscriber of {@code stream}: as JSON when it is JSON text, else a string.
     *
     * @throws IllegalArgumentException when {@code data} is larger than {@code max_broadcast_size} characters
     */
    void broadcast(String stream, String data);

    /**
     * Delivers a full publication (e.g. with {@code exclude_socket}).
     *
     * @throws IllegalArgumentException when its data is larger than {@code max_broadcast_size} characters
     */
    void broadcast(Publication publication);
}
