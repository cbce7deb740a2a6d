package dev.jcable.broker.redis;

/**
 * Where the payloads AnyCable's server SDKs send through Redis go ({@code POST /_broadcast}'s body: one publication
 * or an array). Implemented above the broker, which only carries them.
 */
public interface BroadcastIngress {

    /** A {@code redisx} entry, taken by this node alone: publish it to every node (stored, with offsets). */
    void publish(String payload);

    /** A {@code redis} PUBLISH, which every node receives: deliver it to this node's subscribers only. */
    void deliverLocally(String payload);
}
