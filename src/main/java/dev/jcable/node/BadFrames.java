package dev.jcable.node;

import dev.jcable.metrics.Counter;
import dev.jcable.session.CableSession;
import java.util.logging.Logger;

/**
 * Logs ignored client input: the first bad frame of a connection at WARNING, later ones at FINE, so that one
 * misbehaving client cannot flood the log. The connection stays open.
 */
final class BadFrames {

    private static final Logger LOG = Logger.getLogger(Node.class.getName());

    private BadFrames() {
    }

    static void report(CableSession session, String why) {
        Counter.FAILED_CLIENT_MSG.increment();
        if (session.firstBadFrame()) {
            LOG.warning(() -> "jcable: ignoring a frame from session " + session.sid() + ": " + why
                    + " (the connection stays open; further bad frames of this session are logged at FINE)");
        } else {
            LOG.fine(() -> "jcable: ignoring a frame from session " + session.sid() + ": " + why);
        }
    }
}
