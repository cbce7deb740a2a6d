package dev.jcable.it;

import static dev.jcable.it.Cable.command;
import static dev.jcable.it.Cable.confirm;
import static dev.jcable.it.Cable.presenceFrame;
import static dev.jcable.it.Cable.publicIdentifier;
import static dev.jcable.it.Cable.stream;
import static dev.jcable.it.Cable.subscribe;
import static dev.jcable.it.Cable.subscribed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;

/**
 * A peer that vanishes without closing is found dead and its presence leaves; a peer that is merely idle is not.
 * The test servers run with pong_timeout=4 and presence_ttl=1 (ping_interval 3, the default): a silent client's
 * leave is due within 3 (the next ping) + 4 + 1 (the check) + 1 s, checked here with a bound of 20 s.
 */
class LivenessIT extends AsClient {

    private static final long PONG_TIMEOUT_MS = 4_000;
    private static final long LEAVE_WITHIN_MS = 20_000;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Cable.war();
    }

    private static String joinCommand(String identifier, String id) {
        return command("join", identifier, "\"presence\":{\"id\":\"" + id + "\",\"info\":{\"name\":\"" + id + "\"}}");
    }

    /**
     * The raw client completes the handshake, subscribes, joins, and from then on neither reads a byte (its 4 KiB
     * receive buffer is all the server's writes get) nor answers a ping. The observer sees its join, then its leave.
     */
    @Test
    void aClientThatNeitherReadsNorAnswersIsClosedAsDeadAndItsPresenceLeaves() {
        String stream = stream("vanish");
        String identifier = publicIdentifier(stream);
        try (WsClient observer = cable.connect();
             WsClient ghost = WsClient.raw(cable.http(), WsClient.EXT, Map.of(), 4096)) {
            assertEquals(101, ghost.status());
            assertTrue(ghost.next().startsWith("{\"type\":\"welcome\""));
            subscribed(observer, identifier);
            observer.send(joinCommand(identifier, "observer"));
            observer.expect(presenceFrame(identifier, "{\"type\":\"join\",\"id\":\"observer\",\"info\":{\"name\":\"observer\"},\"seq\":1}"));

            ghost.send(subscribe(identifier));
            ghost.expect(confirm(identifier));
            ghost.send(joinCommand(identifier, "ghost"));
            observer.expect(presenceFrame(identifier, "{\"type\":\"join\",\"id\":\"ghost\",\"info\":{\"name\":\"ghost\"},\"seq\":2}"));
            int before = cable.connections();
            long silentSince = System.currentTimeMillis();
            // from here on the ghost reads nothing and says nothing

            List<String> seen = observer.until(
                    presenceFrame(identifier, "{\"type\":\"leave\",\"id\":\"ghost\",\"seq\":3}")::equals, LEAVE_WITHIN_MS);
            long leftAfter = System.currentTimeMillis() - silentSince;
            assertEquals(List.of(presenceFrame(identifier, "{\"type\":\"leave\",\"id\":\"ghost\",\"seq\":3}")), seen,
                    "nothing else happened to the observer meanwhile");
            assertTrue(leftAfter >= PONG_TIMEOUT_MS, "left after " + leftAfter + " ms: before pong_timeout?");
            cable.awaitConnectionsAtMost(before - 1);
            // nothing else of the stream reached the observer (no second leave), and it is still present
            WsClient.expectQuiet(cable, stream, observer);
            observer.send(command("presence", identifier, "\"data\":{}"));
            observer.expect(presenceFrame(identifier,
                    "{\"type\":\"info\",\"total\":1,\"seq\":3,\"records\":[{\"id\":\"observer\",\"info\":{\"name\":\"observer\"}}]}"));

            // what the ghost would have read, had it read: its own join, its goodbye and the close (or, on some
            // servers, a connection dropped once the goodbye could not be written)
            List<String> told = new ArrayList<>();
            WsClient.Frame frame;
            while ((frame = ghost.readFrame(10_000)) != null && frame.opcode() != WsClient.CLOSE) {
                if (frame.opcode() == WsClient.TEXT && !frame.text().startsWith("{\"type\":\"ping\"")) {
                    told.add(frame.text());
                }
            }
            assertEquals(List.of(presenceFrame(identifier, "{\"type\":\"join\",\"id\":\"ghost\",\"info\":{\"name\":\"ghost\"},\"seq\":2}"),
                    "{\"type\":\"disconnect\",\"reason\":\"no_pong\",\"reconnect\":true}"), told);
            if (frame != null) {
                assertEquals(1000, frame.closeCode(), "close 1000 No Pong");
            }
        }
    }

    /** An idle client of a real library answers WebSocket pings on its own and stays, well past pong_timeout. */
    @Test
    void anIdleClientThatAnswersPingsStays() throws Exception {
        String identifier = publicIdentifier(stream("idle"));
        try (WsClient idle = cable.connect(WsClient.PLAIN);
             WsClient observer = cable.connect()) {
            subscribed(idle, identifier);
            idle.send(joinCommand(identifier, "idle"));
            idle.expect(presenceFrame(identifier, "{\"type\":\"join\",\"id\":\"idle\",\"info\":{\"name\":\"idle\"},\"seq\":1}"));
            subscribed(observer, identifier);
            int connections = cable.connections();
            // three pong timeouts of silence from the client's side: it sends nothing but pongs
            long quietUntil = System.currentTimeMillis() + 3 * PONG_TIMEOUT_MS;
            while (System.currentTimeMillis() < quietUntil) {
                idle.nextPing(); // pings keep coming: it is still connected
            }
            assertEquals(connections, cable.connections());
            assertEquals(List.of(), idle.drain(), "no disconnect, nothing at all");
            observer.send(command("presence", identifier, "\"data\":{}"));
            observer.expect(presenceFrame(identifier,
                    "{\"type\":\"info\",\"total\":1,\"seq\":1,\"records\":[{\"id\":\"idle\",\"info\":{\"name\":\"idle\"}}]}"));
        }
    }

    /**
     * The WebSocket pings as a client sees them on the wire, on every server: an unmasked ping with no payload every
     * ping_interval (on Payara and Open Liberty written by jcable's raw transport, in the same write as the JSON ping),
     * and a client that sends nothing but a pong to each stays connected, well past pong_timeout; the JSON pings keep
     * coming too.
     */
    @Test
    void everyConnectionGetsAnEmptyWebSocketPingEachIntervalAndAPongToEachKeepsItAlive() {
        try (WsClient raw = WsClient.raw(cable.http(), WsClient.EXT, Map.of(), 0)) {
            assertEquals(101, raw.status());
            int connections = cable.connections();
            int pings = 0;
            int jsonPings = 0;
            long start = System.currentTimeMillis();
            long quietUntil = start + 3 * PONG_TIMEOUT_MS;
            while (System.currentTimeMillis() < quietUntil) {
                WsClient.Frame frame = raw.readFrame(20_000);
                assertTrue(frame != null && frame.opcode() != WsClient.CLOSE, "closed after "
                        + (System.currentTimeMillis() - start) + " ms: " + (frame == null ? "dropped" : frame.text()));
                if (frame.opcode() == WsClient.PING) {
                    assertEquals(0, frame.payload().length, "an empty ping");
                    raw.sendFrame(WsClient.PONG, new byte[0], true); // all the client ever says
                    pings++;
                } else if (frame.opcode() == WsClient.TEXT && frame.text().startsWith("{\"type\":\"ping\"")) {
                    jsonPings++;
                }
            }
            // 12 s at one ping every 3 s: 4 of each, or 3 with the timers' phase and this machine's load
            assertTrue(pings >= 3, pings + " WebSocket pings in " + 3 * PONG_TIMEOUT_MS + " ms");
            assertTrue(jsonPings >= 3, jsonPings + " JSON pings in " + 3 * PONG_TIMEOUT_MS + " ms");
            assertEquals(connections, cable.connections(), "still connected");
        }
    }
}
