package dev.jcable.protocol;

/**
 * A presence change of one stream.
 *
 * @param join true for {@code join}, false for {@code leave}
 * @param id   the presence id
 * @param info the info as JSON text ({@code join} only), or null
 * @param seq  the stream's presence sequence number of this transition: 1, 2, 3… per stream, the same on every node
 *             (the broker counts them atomically with the change), so a receiver can order a stream's transitions
 *             whichever node or queue brought them; 0 for an event that has none (made up by a test), whose frame
 *             then has no {@code seq} ({@link Codec#presenceEvent})
 */
public record PresenceEvent(boolean join, String id, String info, long seq) {

    public static PresenceEvent join(String id, String info, long seq) {
        return new PresenceEvent(true, id, info, seq);
    }

    public static PresenceEvent leave(String id, long seq) {
        return new PresenceEvent(false, id, null, seq);
    }

    /** A join without a sequence number. */
    public static PresenceEvent join(String id, String info) {
        return join(id, info, 0);
    }

    /** A leave without a sequence number. */
    public static PresenceEvent leave(String id) {
        return leave(id, 0);
    }
}
