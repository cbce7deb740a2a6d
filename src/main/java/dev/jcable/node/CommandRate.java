package dev.jcable.node;

import dev.jcable.session.CableSession;
import jakarta.websocket.CloseReason;
import java.util.logging.Logger;

/**
 * The per-connection command rate limit ({@code command_rate_limit} commands a second, {@code command_rate_burst} at
 * once): a client over it, or one whose commands pile up beyond its lane's bound, is told
 * {@code {"type":"disconnect","reason":"too_many_requests","reconnect":true}} and closed, logged once at WARNING.
 * Every complete frame counts, whatever it holds: a flood of bad frames is a flood too.
 */
final class CommandRate {

    private static final Logger LOG = Logger.getLogger(CommandRate.class.getName());
    static final String REASON = "too_many_requests";

    private final double perSecond;
    private final double burst;

    /** @param perSecond commands a second, 0 for no limit */
    CommandRate(double perSecond, int burst) {
        this.perSecond = perSecond;
        this.burst = Math.max(1, burst);
    }

    /** Counts one command of {@code session}; false (after disconnecting it) when it is over the limit. */
    boolean allows(CableSession session) {
        if (perSecond <= 0 || session.take(System.nanoTime(), perSecond, burst)) {
            return true;
        }
        exceeded(session, "more than " + (long) burst + " commands at once or " + perSecond + " a second");
        return false;
    }

    /** Disconnects {@code session} as over the limit; logged once, by the disconnect that wins. */
    static void exceeded(CableSession session, String why) {
        if (!session.disconnecting()) {
            LOG.warning(() -> "jcable: session " + session.sid() + " sent " + why + "; disconnecting it as "
                    + REASON);
        }
        session.disconnect(REASON, true, CloseReason.CloseCodes.NORMAL_CLOSURE, "Too many requests");
    }
}
