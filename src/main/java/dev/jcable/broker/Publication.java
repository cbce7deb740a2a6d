package dev.jcable.broker;

import java.util.Objects;

/**
 * One broadcast, in AnyCable's publication format {@code {"stream":…,"data":…,"meta":{"exclude_socket":…}}}.
 *
 * @param stream        the stream to deliver to
 * @param data          the payload; delivered as JSON when it is JSON text, else as a string
 * @param excludeSocket a session id ({@code sid}) that must not receive it, or null
 */
public record Publication(String stream, String data, String excludeSocket) implements Broadcast {

    public Publication {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(data, "data");
    }

    public Publication(String stream, String data) {
        this(stream, data, null);
    }
}
