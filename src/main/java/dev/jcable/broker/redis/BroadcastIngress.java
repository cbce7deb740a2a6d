package dev.jcable.broker.redis;

import dev.jcable.broker.Publication;
import java.util.List;

/**
 * Where the payloads AnyCable's server SDKs send through Redis go ({@code POST /_broadcast}'s body: one publication
 * or an array). Implemented above the broker, which only carries them.
 */
public interface BroadcastIngress {

    /** The publications of a {@code redisx} entry's payload; none (and logged) when it does not parse. */
    List<Publication> parse(String payload);

    /**
     * Publishes one publication of a {@code redisx} entry, taken by this node alone, to every node (stored, with an
     * offset).
     *
     * @throws IllegalArgumentException when it is refused for good (too large)
     * @throws RuntimeException         when it could not be made now (the entry is taken again)
     */
    void publish(Publication publication);

    /** A {@code redis} PUBLISH, which every node receives: deliver it to this node's subscribers only. */
    void deliverLocally(String payload);
}
