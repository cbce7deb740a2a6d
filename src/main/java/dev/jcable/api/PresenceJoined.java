package dev.jcable.api;

import jakarta.json.JsonValue;

/**
 * CDI event: {@code id} joined the presence set of {@code stream} (its first session there; a re-join or a second tab
 * with the same id is no event, as on the wire). Observe it with {@code @Observes} or {@code @ObservesAsync}. With a
 * shared broker it is fired once for the cluster, on the node whose session joined.
 *
 * @param info the member's info, {@link JsonValue#NULL} when it joined without any
 */
public record PresenceJoined(String stream, String id, JsonValue info) {
}
