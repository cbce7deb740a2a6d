package dev.jcable.node;

import dev.jcable.session.CableSession;
import jakarta.websocket.CloseReason;
import java.util.logging.Logger;

/**
 * The per-connection command rate limit ({@code command_rate_limit} commands a second, {@code command_rate_burst} at
 * once): a client over it, or one whose commands pile up beyond its lane's bound, is told
 * {@code {"type":"disconnect","reason":"too_many_requests","reconnect":true}} and closed, logged once at WARNING.
 * Every complete frame counts, whatever it holds: a flood of bad frames is a flood too.
 *
 * <p>A command is not the unit of what a client makes the node do: a whisper or a presence change into a room of
 * 10,000 is 10,000 frames. Those commands also cost one token per {@link #REACH_PER_TOKEN} connections of the stream on
 * this node (at most the whole burst), so that one client's share of the fan-out stays bounded whatever the room's
 * size (BENCHMARKS.md, "Noisy neighbour").
 */
final class CommandRate {

    private static final Logger LOG = Logger.getLogger(CommandRate.class.getName());
    static final String REASON = "too_many_requests";
    /** Connections a whisper or presence change reaches on this node for one token, beyond the command's own. */
    static final int REACH_PER_TOKEN = 100;

    private final double perSecond;
    private final double burst;

    /** @param perSecond commands a second, 0 for no limit */
    CommandRate(double perSecond, int burst) {
        this.perSecond = perSecond;
        this.burst = Math.max(1, burst);
    }

    /** Counts one command of {@code session}; false (after disconnecting it) when it is over the limit. */
    boolean allows(CableSession session) {
        if (perSecond <= 0 || session.take(System.nanoTime(), perSecond, burst, 1)) {
            return true;
        }
        exceeded(session, "more than " + (long) burst + " commands at once or " + perSecond + " a second");
        return false;
    }

    /**
     * Charges a whisper or presence change of {@code session} for the {@code reach} connections it reaches on this
     * node; false (after disconnecting it) when that is over the limit. Runs on the connection's lane.
     */
    boolean allowsReach(CableSession session, int reach) {
        if (perSecond <= 0 || reach < REACH_PER_TOKEN) {
            return true;
        }
        double cost = Math.min(burst, reach / (double) REACH_PER_TOKEN);
        if (session.take(System.nanoTime(), perSecond, burst, cost)) {
            return true;
        }
        exceeded(session, "whispers or presence changes reaching " + reach + " connections each, more than "
                + (long) (burst * REACH_PER_TOKEN) + " connections at once or " + (long) (perSecond * REACH_PER_TOKEN)
                + " a second");
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
