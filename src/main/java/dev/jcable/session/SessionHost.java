package dev.jcable.session;

import java.util.concurrent.Executor;

/** What a session needs from its node: somewhere to run off the caller's thread, and to hear it is leaving. */
@FunctionalInterface
public interface SessionHost extends Executor {

    /**
     * The session queued its last frame (a disconnect) and will close once it is written. A client that stopped
     * reading never lets it be written, so the host closes it for good after a grace period.
     */
    default void disconnecting(CableSession session) {
    }

    /** A new lane for a new connection ({@link Lane}); by default one that runs every step on the offering thread. */
    default Lane lane() {
        return new Lane(Runnable::run, true);
    }
}
