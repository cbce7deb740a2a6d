package dev.jcable.protocol;

/**
 * A presence change of one stream.
 *
 * @param join true for {@code join}, false for {@code leave}
 * @param id   the presence id
 * @param info the info as JSON text ({@code join} only), or null
 */
public record PresenceEvent(boolean join, String id, String info) {

    public static PresenceEvent join(String id, String info) {
        return new PresenceEvent(true, id, info);
    }

    public static PresenceEvent leave(String id) {
        return new PresenceEvent(false, id, null);
    }
}
