package dev.jcable.protocol;

import java.util.List;

/** The members of a stream: {@code total} unique ids and their records, in join order. */
public record PresenceInfo(int total, List<Record> records) {

    public static final PresenceInfo EMPTY = new PresenceInfo(0, List.of());

    /** One member: its id and latest info (JSON text, or null). */
    public record Record(String id, String info) {
    }
}
