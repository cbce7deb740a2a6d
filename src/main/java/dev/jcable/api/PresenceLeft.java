package dev.jcable.api;

/**
 * CDI event: {@code id} left the presence set of {@code stream} (its last session left, unsubscribed, or was gone for
 * {@code presence_ttl}). With a shared broker it is fired once for the cluster: on the node whose session left, or
 * whose sweep found the record expired.
 *
 * @param seq the stream's presence sequence number of this transition ({@link PresenceJoined#seq})
 */
public record PresenceLeft(String stream, String id, long seq) {
}
