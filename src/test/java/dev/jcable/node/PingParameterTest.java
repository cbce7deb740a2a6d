package dev.jcable.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** {@code ?pi=} is honoured only within a small range: sessions share one ping timer per interval in use. */
class PingParameterTest {

    @Test
    void aClientMayAskForNoPingsOrOneToSixtySeconds() {
        assertEquals(0, PingParameters.intervalMillis("0", 3000));
        assertEquals(1000, PingParameters.intervalMillis("1", 3000));
        assertEquals(60_000, PingParameters.intervalMillis("60", 3000));
    }

    @Test
    void anythingElseGetsTheServersInterval() {
        assertEquals(3000, PingParameters.intervalMillis(null, 3000));
        assertEquals(3000, PingParameters.intervalMillis("61", 3000), "one timer per distinct interval: kept few");
        assertEquals(3000, PingParameters.intervalMillis("86400", 3000));
        assertEquals(3000, PingParameters.intervalMillis("9223372036854775807", 3000), "would overflow to no pings");
        assertEquals(3000, PingParameters.intervalMillis("-1", 3000));
        assertEquals(3000, PingParameters.intervalMillis("1.5", 3000));
        assertEquals(3000, PingParameters.intervalMillis("x", 3000));
    }
}
