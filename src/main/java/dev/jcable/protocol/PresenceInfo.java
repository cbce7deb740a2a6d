package dev.jcable.protocol;

import java.util.List;

/**
 * The members of a stream: {@code total} unique ids and their records, in join order, and {@code seq}, the stream's
 * presence sequence number ({@link PresenceEvent#seq}) of the last transition this set includes, read with the set
 * in one step (0: the stream has had none, or none for a day). A receiver drops the events this set already holds:
 * those numbered {@code seq} or lower.
 */
public record PresenceInfo(int total, List<Record> records, long seq) {

    /** A stream that has never had a member (or not for a day). */
    public static final PresenceInfo EMPTY = new PresenceInfo(0, List.of(), 0);

    /** One member: its id and latest info (JSON text, or null). */
    public record Record(String id, String info) {
    }
}
