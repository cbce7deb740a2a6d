package dev.jcable.broker.redis;

import dev.jcable.broker.Broadcast;
import java.util.List;

/**
 * Where the payloads AnyCable's server SDKs send through Redis go ({@code POST /_broadcast}'s body: one publication
 * or an array). Implemented above the broker, which only carries them.
 */
public interface BroadcastIngress {

    /** The publications and remote commands of a {@code redisx} entry's payload; none (and logged) when it does not parse. */
    List<Broadcast> parse(String payload);

    /**
     * Publishes one publication of a {@code redisx} entry, taken by this node alone, to every node (stored, with an
     * offset), or sends its remote command to every node.
     *
     * @throws IllegalArgumentException when it is refused for good (too large)
     * @throws RuntimeException         when it could not be made now (the entry is taken again)
     */
    void publish(Broadcast broadcast);

    /**
     * A {@code redis} PUBLISH, which every node receives: deliver it to this node's subscribers only (and apply its
     * remote commands to this node's connections only).
     */
    void deliverLocally(String payload);
}
