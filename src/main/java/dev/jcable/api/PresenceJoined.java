package dev.jcable.api;

import jakarta.json.JsonValue;

/**
 * CDI event: {@code id} joined the presence set of {@code stream} (its first session there; a re-join or a second tab
 * with the same id is no event, as on the wire). Observe it with {@code @Observes} or {@code @ObservesAsync}. With a
 * shared broker it is fired once for the cluster, on the node whose session joined.
 *
 * @param info the member's info, {@link JsonValue#NULL} when it joined without any
 * @param seq  the stream's presence sequence number of this transition (1, 2, 3… per stream, the same on every node,
 *             shared with {@link PresenceLeft}): events can arrive out of order (observers run async, a cluster fires
 *             each on the node that caused it); ordering a stream's events by it gives the order they happened
 */
public record PresenceJoined(String stream, String id, JsonValue info, long seq) {
}
