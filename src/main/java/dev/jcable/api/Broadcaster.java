package dev.jcable.api;

/**
 * Broadcasts to connected clients from server-side code of the same application:
 * <pre>{@code
 * @Inject Broadcaster cable;
 * cable.broadcast("chat/42", "{\"text\":\"hi\"}");
 * }</pre>
 * The call returns once the publication is ordered and stored (its offset taken, its history written); the fan-out
 * to subscribers runs afterwards on jcable's delivery pool, so a caller never waits for a large room or a slow
 * client. When that stream's deliveries are too far behind, the call throws {@link IllegalStateException}
 * ({@code dev.jcable.node.Overloaded}) and nothing is published.
 */
public interface Broadcaster {

    /**
     * Delivers {@code data} to every subscriber of {@code stream}: as JSON when it is JSON text, else a string.
     *
     * @throws IllegalArgumentException when {@code data} is larger than {@code max_broadcast_size} characters
     */
    void broadcast(String stream, String data);

    /**
     * Delivers {@code data} to every subscriber of {@code stream} but the connection whose session id is
     * {@code excludeSocket} (AnyCable's {@code exclude_socket}: the sender of a change does not get its own echo).
     *
     * @param excludeSocket a session id ({@code sid}) that must not receive it, or null for none
     * @throws IllegalArgumentException when {@code data} is larger than {@code max_broadcast_size} characters
     */
    void broadcast(String stream, String data, String excludeSocket);

    /**
     * Delivers {@code data} to the subscribers of {@code channel} that stream for {@code key}
     * ({@link ChannelContext#streamFor}): Action Cable's {@code ChatChannel.broadcast_to(room, data)}.
     *
     * @param channel a class annotated {@link CableChannel}
     */
    default void broadcastTo(Class<?> channel, Object key, String data) {
        CableChannel annotation = channel.getAnnotation(CableChannel.class);
        if (annotation == null) {
            throw new IllegalArgumentException(channel.getName() + " is not annotated @CableChannel");
        }
        broadcast(ChannelContext.streamName(annotation.value(), key), data);
    }
}
