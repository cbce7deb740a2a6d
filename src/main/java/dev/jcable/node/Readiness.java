package dev.jcable.node;

/**
 * Whether this node should get new connections, and if not why: {@code draining} (it is shutting down) or
 * {@code broker_down} (its broker's Redis does not answer).
 *
 * @param reason for people, null when ready
 */
public record Readiness(boolean ready, String status, String reason) {
}
