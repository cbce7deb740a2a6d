package dev.jcable.node;

import java.util.List;
import java.util.Map;

/**
 * What a client may choose of its JSON pings in the handshake's query, as AnyCable's extended protocol allows:
 * {@code ?pi=} (the interval in seconds) and {@code ?ptp=} (the timestamp's precision). Anything out of range gets the
 * server's setting.
 */
final class PingParameters {

    /** The most seconds a client may ask for with {@code ?pi=}: each interval in use is one timer. */
    static final int MAX_CLIENT_PING_SECONDS = 60;

    private PingParameters() {
    }

    static long interval(Map<String, List<String>> query, long serverMillis) {
        List<String> pi = query.get("pi");
        return intervalMillis(pi == null || pi.isEmpty() ? null : pi.get(0), serverMillis);
    }

    /**
     * {@code ?pi=} in milliseconds: 0 (no JSON pings) or 1 to {@link #MAX_CLIENT_PING_SECONDS} seconds; anything else
     * (absent, not a number, negative, larger) gets the server's {@code ping_interval}. Kept to a small range because
     * sessions share one timer per interval: a client may not make the node keep thousands of them.
     */
    static long intervalMillis(String pi, long serverMillis) {
        if (pi != null) {
            try {
                long seconds = Long.parseLong(pi);
                if (seconds >= 0 && seconds <= MAX_CLIENT_PING_SECONDS) {
                    return seconds * 1000;
                }
            } catch (NumberFormatException e) {
                // the server's interval
            }
        }
        return serverMillis;
    }

    /** {@code ?ptp=}: s, ms or ns; anything else gets the server's {@code ping_timestamp_precision}. */
    static String precision(Map<String, List<String>> query, String serverPrecision) {
        List<String> ptp = query.get("ptp");
        if (ptp != null && !ptp.isEmpty() && List.of("s", "ms", "ns").contains(ptp.get(0))) {
            return ptp.get(0);
        }
        return serverPrecision;
    }
}
