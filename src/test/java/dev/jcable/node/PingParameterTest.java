package dev.jcable.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** {@code ?pi=} is honoured only within a small range: sessions share one ping timer per interval in use. */
class PingParameterTest {

    @Test
    void aClientMayAskForNoPingsOrOneToSixtySeconds() {
        assertEquals(0, Connections.pingIntervalMillis("0", 3000));
        assertEquals(1000, Connections.pingIntervalMillis("1", 3000));
        assertEquals(60_000, Connections.pingIntervalMillis("60", 3000));
    }

    @Test
    void anythingElseGetsTheServersInterval() {
        assertEquals(3000, Connections.pingIntervalMillis(null, 3000));
        assertEquals(3000, Connections.pingIntervalMillis("61", 3000), "one timer per distinct interval: kept few");
        assertEquals(3000, Connections.pingIntervalMillis("86400", 3000));
        assertEquals(3000, Connections.pingIntervalMillis("9223372036854775807", 3000), "would overflow to no pings");
        assertEquals(3000, Connections.pingIntervalMillis("-1", 3000));
        assertEquals(3000, Connections.pingIntervalMillis("1.5", 3000));
        assertEquals(3000, Connections.pingIntervalMillis("x", 3000));
    }
}
