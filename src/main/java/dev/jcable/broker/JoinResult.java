package dev.jcable.broker;

/** The outcome of {@link Broker#presenceAdd}. */
public enum JoinResult {
    /** A new presence id: a {@code join} event was emitted. */
    JOINED,
    /** The id was already present (another tab, or a re-join): its info was updated silently. */
    UPDATED,
    /** This session already joined the stream under another id. */
    ID_MISMATCH,
    /** The stream already has {@code presence_max_members} ids. */
    MEMBERS_LIMIT,
    /** The session is already disconnected. */
    SESSION_CLOSED
}
