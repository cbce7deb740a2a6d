package dev.jcable.it;

import static dev.jcable.it.Cable.command;
import static dev.jcable.it.Cable.confirm;
import static dev.jcable.it.Cable.presenceFrame;
import static dev.jcable.it.Cable.publicIdentifier;
import static dev.jcable.it.Cable.quoted;
import static dev.jcable.it.Cable.signedIdentifier;
import static dev.jcable.it.Cable.stream;
import static dev.jcable.it.Cable.subscribed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.bench.Conn;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CountDownLatch;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every presence rule, on the wire. The test server's presence_ttl is 1 s, bound through JNDI
 * (src/test/payara/postboot.txt), so these tests also prove the JNDI source.
 *
 * <p>Where a test must show that something does NOT happen after the TTL, a control member disconnects at the
 * same moment: its {@code leave} is the condition waited for, and any unwanted event would have come before it
 * (events of a stream are emitted in order, and expiry runs in deadline order).
 */
class PresenceIT extends AsClient {

    private static final long TTL_MS = 1000;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Cable.war();
    }

    String stream;
    String identifier;

    @BeforeEach
    void setUp() {
        stream = stream("room");
        identifier = signedIdentifier(stream);
    }

    /** The stream's fan-outs and presence events queued so far reached these subscribers, and nothing else came. */
    private void quiet(WsClient... subscribers) {
        WsClient.expectQuiet(cable, stream, subscribers);
    }

    /** A join event, the stream's transition number {@code seq} (each test's stream is new: its first is 1). */
    private static String join(String id, String info, long seq) {
        return joinUpToSeq(id, info) + seq + "}";
    }

    /** A join event up to its {@code seq}'s number, for a join whose place among concurrent ones is not known. */
    private static String joinUpToSeq(String id, String info) {
        return "{\"type\":\"join\",\"id\":\"" + id + "\"" + (info == null ? "" : ",\"info\":" + info) + ",\"seq\":";
    }

    private static String leave(String id, long seq) {
        return "{\"type\":\"leave\",\"id\":\"" + id + "\",\"seq\":" + seq + "}";
    }

    private String joinCommand(String id, String info) {
        return command("join", identifier, "\"presence\":{\"id\":\"" + id + "\",\"info\":" + info + "}");
    }

    private WsClient member(String protocol) {
        WsClient client = cable.connect(protocol);
        subscribed(client, identifier);
        return client;
    }

    private String info(WsClient client) {
        client.send(command("presence", identifier, "\"data\":{}"));
        return client.next();
    }

    private String infoFrame(String message) {
        return presenceFrame(identifier, message);
    }

    @Test
    void joinIsAnnouncedToEverySubscriberIncludingTheJoinerAndInfoListsTheMember() {
        try (WsClient vova = member(WsClient.EXT); WsClient viewer = member(WsClient.EXT)) {
            vova.send(joinCommand("42", "{\"name\":\"Vova\"}"));
            vova.expect(infoFrame(join("42", "{\"name\":\"Vova\"}", 1)));
            viewer.expect(infoFrame(join("42", "{\"name\":\"Vova\"}", 1)));
            assertEquals(infoFrame("{\"type\":\"info\",\"total\":1,\"seq\":1,\"records\":[{\"id\":\"42\",\"info\":{\"name\":\"Vova\"}}]}"),
                    info(viewer));
            viewer.send(command("presence", identifier, "\"data\":{\"return_records\":false}"));
            viewer.expect(infoFrame("{\"type\":\"info\",\"total\":1,\"seq\":1}"));
        }
    }

    @Test
    void anEmptyStreamReportsTotalZero() {
        try (WsClient viewer = member(WsClient.EXT)) {
            assertEquals(infoFrame("{\"type\":\"info\",\"total\":0}"), info(viewer));
        }
    }

    @Test
    void joinInsideSubscribeAndStringInfoAndNoInfo() {
        try (WsClient viewer = member(WsClient.EXT); WsClient joiner = cable.connect(WsClient.EXT);
             WsClient bare = member(WsClient.EXT)) {
            joiner.send(command("subscribe", identifier, "\"presence\":{\"id\":\"7\",\"info\":\"vova\"}"));
            joiner.expect(confirm(identifier));
            joiner.expect(infoFrame(join("7", "\"vova\"", 1)));
            viewer.expect(infoFrame(join("7", "\"vova\"", 1)));
            bare.send(command("join", identifier, "\"presence\":{\"id\":8}"));
            viewer.expect(infoFrame(join("8", null, 2)));
            assertEquals(infoFrame("{\"type\":\"info\",\"total\":2,\"seq\":2,\"records\":[{\"id\":\"7\",\"info\":\"vova\"},{\"id\":\"8\"}]}"),
                    info(viewer));
        }
    }

    @Test
    void reJoiningUpdatesInfoSilently() {
        try (WsClient vova = member(WsClient.EXT); WsClient viewer = member(WsClient.EXT)) {
            vova.send(joinCommand("42", "{\"v\":1}"));
            viewer.expect(infoFrame(join("42", "{\"v\":1}", 1)));
            vova.expect(infoFrame(join("42", "{\"v\":1}", 1)));
            vova.send(joinCommand("42", "{\"v\":2}"));
            vova.expectNoReply(); // processed (a connection's commands run in order), and answered nothing
            quiet(vova, viewer); // and no event reached anyone
            assertEquals(infoFrame("{\"type\":\"info\",\"total\":1,\"seq\":1,\"records\":[{\"id\":\"42\",\"info\":{\"v\":2}}]}"),
                    info(viewer));
        }
    }

    @Test
    void twoTabsOfOneUserAreOneMemberAndOnlyTheLastLeaveIsAnnounced() {
        try (WsClient tab1 = member(WsClient.EXT); WsClient tab2 = member(WsClient.EXT);
             WsClient viewer = member(WsClient.EXT)) {
            tab1.send(joinCommand("u1", "{\"tab\":1}"));
            viewer.expect(infoFrame(join("u1", "{\"tab\":1}", 1)));
            tab1.expect(infoFrame(join("u1", "{\"tab\":1}", 1)));
            tab2.expect(infoFrame(join("u1", "{\"tab\":1}", 1)));
            tab2.send(joinCommand("u1", "{\"tab\":2}"));
            tab2.expectNoReply(); // processed
            quiet(tab1, tab2, viewer); // and silent
            assertEquals(infoFrame("{\"type\":\"info\",\"total\":1,\"seq\":1,\"records\":[{\"id\":\"u1\",\"info\":{\"tab\":2}}]}"),
                    info(viewer));
            tab1.send(command("leave", identifier, null));
            tab1.expectNoReply();
            quiet(tab1, tab2, viewer);
            tab2.send(command("leave", identifier, null));
            viewer.expect(infoFrame(leave("u1", 2)));
            tab2.expect(infoFrame(leave("u1", 2)));
        }
    }

    @Test
    void unsubscribeImpliesLeave() {
        try (WsClient vova = member(WsClient.EXT); WsClient viewer = member(WsClient.EXT)) {
            vova.send(joinCommand("42", "{}"));
            viewer.expect(infoFrame(join("42", "{}", 1)));
            vova.send(command("unsubscribe", identifier, null));
            viewer.expect(infoFrame(leave("42", 2)));
            assertEquals(infoFrame("{\"type\":\"info\",\"total\":0,\"seq\":2}"), info(viewer), "emptied by 2");
        }
    }

    @Test
    void anAbruptDisconnectKeepsTheMemberForTheTtlThenLeavesOnce() {
        try (WsClient viewer = member(WsClient.EXT)) {
            WsClient gone = member(WsClient.EXT);
            gone.send(joinCommand("42", "{}"));
            viewer.expect(infoFrame(join("42", "{}", 1)));
            long dropped = System.currentTimeMillis();
            gone.abort();
            assertEquals(infoFrame("{\"type\":\"info\",\"total\":1,\"seq\":1,\"records\":[{\"id\":\"42\",\"info\":{}}]}"),
                    info(viewer));
            viewer.expect(infoFrame(leave("42", 2)));
            long after = System.currentTimeMillis() - dropped;
            assertTrue(after >= TTL_MS - 100 && after < TTL_MS + 2000, "leave after " + after + " ms");
            assertEquals(infoFrame("{\"type\":\"info\",\"total\":0,\"seq\":2}"), info(viewer));
            quiet(viewer);
        }
    }

    @Test
    void aClientThatReconnectsAndReJoinsWithinTheTtlCausesNoEventAtAll() {
        try (WsClient viewer = member(WsClient.EXT)) {
            WsClient first = member(WsClient.EXT);
            WsClient control = member(WsClient.EXT);
            first.send(joinCommand("42", "{\"n\":1}"));
            viewer.expect(infoFrame(join("42", "{\"n\":1}", 1)));
            control.send(joinCommand("control", "{}"));
            viewer.expect(infoFrame(join("control", "{}", 2)));

            first.abort();
            try (WsClient again = cable.connect(WsClient.EXT)) {
                again.send(command("subscribe", identifier, "\"presence\":{\"id\":\"42\",\"info\":{\"n\":2}}"));
                again.expect(confirm(identifier));
                again.expectNoReply(); // its re-join is done
                quiet(again, viewer); // and silent
                control.abort(); // its deadline comes after the first connection's
                viewer.expect(infoFrame(leave("control", 3)));
                again.expect(infoFrame(leave("control", 3)));
                quiet(again, viewer);
                assertEquals(infoFrame("{\"type\":\"info\",\"total\":1,\"seq\":3,\"records\":[{\"id\":\"42\",\"info\":{\"n\":2}}]}"),
                        info(viewer));
            }
        }
    }

    @Test
    void connectedSessionsOfBothProtocolsKeepTheirRecordsPastTheTtl() {
        try (WsClient viewer = member(WsClient.EXT); WsClient plain = member(WsClient.PLAIN);
             WsClient ext = member(WsClient.EXT)) {
            plain.send(joinCommand("plain", "{}"));
            viewer.expect(infoFrame(join("plain", "{}", 1)));
            ext.send(joinCommand("ext", "{}"));
            viewer.expect(infoFrame(join("ext", "{}", 2)));
            WsClient control = member(WsClient.EXT);
            control.send(joinCommand("control", "{}"));
            viewer.expect(infoFrame(join("control", "{}", 3)));
            control.abort(); // leaves a TTL after the others joined: they would have expired first
            viewer.expect(infoFrame(leave("control", 4)));
            assertEquals(infoFrame("{\"type\":\"info\",\"total\":2,\"seq\":4,\"records\":[{\"id\":\"plain\",\"info\":{}},{\"id\":\"ext\",\"info\":{}}]}"),
                    info(viewer));
        }
    }

    @Test
    void publicStreamsHavePresenceToo() {
        identifier = publicIdentifier(stream("open"));
        try (WsClient vova = member(WsClient.PLAIN)) {
            vova.send(joinCommand("1", "{}"));
            vova.expect(infoFrame(join("1", "{}", 1)));
        }
    }

    @Test
    void refusedJoinsAreAnsweredWithAPresenceErrorAndChangeNothing() {
        // the test server runs with presence_info_max_size=256
        try (WsClient viewer = member(WsClient.EXT); WsClient client = member(WsClient.EXT)) {
            client.send(command("join", identifier, "\"presence\":{\"info\":{}}"));
            client.expect(infoFrame("{\"type\":\"error\",\"reason\":\"invalid_presence\"}"));
            client.send(command("join", identifier, null));
            client.expect(infoFrame("{\"type\":\"error\",\"reason\":\"invalid_presence\"}"));
            client.send(joinCommand("big", "\"" + "x".repeat(300) + "\""));
            client.expect(infoFrame("{\"type\":\"error\",\"reason\":\"info_too_large\"}"));
            client.send(joinCommand("a", "{}"));
            viewer.expect(infoFrame(join("a", "{}", 1)));
            client.send(joinCommand("b", "{}"));
            client.expect(infoFrame(join("a", "{}", 1)));
            client.expect(infoFrame("{\"type\":\"error\",\"reason\":\"id_mismatch\"}"));
            quiet(viewer, client);
        }
    }

    /** The test servers run with presence_max_members=250: room for ChurnSmokeIT's 200 members and their churn. */
    private static final int MAX_MEMBERS = 250;

    @Test
    void aStreamTakesAtMostPresenceMaxMembersIds() throws Exception {
        int before = cable.connections();
        CountDownLatch joined = new CountDownLatch(MAX_MEMBERS - 1);
        List<Conn> others = Conn.openAll(Conn.client(), cable.ws(""), WsClient.EXT, 1, MAX_MEMBERS - 1, 50,
                i -> (conn, frame) -> {
                    if (frame.startsWith("{\"type\":\"welcome\"")) {
                        conn.send(Cable.subscribe(identifier));
                    } else if (frame.contains("\"type\":\"confirm_subscription\"")) {
                        conn.send(joinCommand("m" + i, "{}"));
                    } else if (frame.contains(joinUpToSeq("m" + i, "{}"))) { // in whichever order they came
                        joined.countDown();
                    }
                });
        try (WsClient d = awaitThen(joined); WsClient e = member(WsClient.EXT)) {
            d.send(joinCommand("a", "{}")); // the last id the stream takes
            d.expect(infoFrame(join("a", "{}", MAX_MEMBERS))); // after the others' joins, one each
            e.expect(infoFrame(join("a", "{}", MAX_MEMBERS)));
            e.send(joinCommand("b", "{}"));
            e.expect(infoFrame("{\"type\":\"error\",\"reason\":\"members_limit\"}"));
            // another tab of an existing member is still welcome
            e.send(joinCommand("a", "{\"tab\":2}"));
            e.expectNoReply();
            quiet(e, d);
        } finally {
            others.forEach(Conn::close);
            // the next test starts once the server has seen them all go: Open Liberty holds a pool thread per close
            // in progress, and a test that connected meanwhile could time out its handshake. Liberty works through
            // a few hundred closes at about ten a second on the test machine (seen in CI), hence the long bound.
            cable.awaitConnectionsAtMost(before, 90_000);
        }
    }

    /** Waits for the others' joins, then subscribes a member (so it sees none of them). */
    private WsClient awaitThen(CountDownLatch joined) throws InterruptedException {
        assertTrue(joined.await(60, TimeUnit.SECONDS), "the first " + (MAX_MEMBERS - 1) + " members joined");
        return member(WsClient.EXT);
    }

    @Test
    void presenceForAnUnknownIdentifierIsAnsweredWithAnError() {
        String unknown = signedIdentifier(stream("never-subscribed"));
        try (WsClient client = cable.connect()) {
            client.send(command("presence", unknown, "\"data\":{}"));
            client.expect(presenceFrame(unknown, "{\"type\":\"error\",\"reason\":\"not_subscribed\"}"));
            client.send(command("join", unknown, "\"presence\":{\"id\":\"1\"}"));
            client.expectNoReply(); // not subscribed: no stream of it could deliver, only its own lane
        }
    }

    @Test
    void restPresenceListsMembersOfStreamsWithSlashes() {
        String stream = stream("chat/rooms/1");
        identifier = signedIdentifier(stream);
        try (WsClient vova = member(WsClient.EXT)) {
            vova.send(joinCommand("42", "{\"name\":\"Vova\"}"));
            vova.expect(infoFrame(join("42", "{\"name\":\"Vova\"}", 1)));
            String path = "api/presence/" + stream.replace("/", "%2F").replace(":", "%3A") + "/users";
            var response = cable.get(path, "Bearer " + Cable.API_KEY);
            assertEquals(200, response.statusCode(), response.body());
            assertEquals("application/json", response.headers().firstValue("Content-Type").orElse("").split(";")[0]);
            assertEquals("{\"type\":\"info\",\"total\":1,\"seq\":1,\"records\":[{\"id\":\"42\",\"info\":{\"name\":\"Vova\"}}]}",
                    response.body());
            var unauthorized = cable.get(path, "Bearer wrong");
            assertEquals(401, unauthorized.statusCode());
            assertEquals("{\"error\":\"unauthorized\",\"message\":\"wrong key in the Authorization header\"}",
                    unauthorized.body());
            var empty = cable.get("api/presence/nobody-here/users", "Bearer " + Cable.API_KEY);
            assertEquals("{\"type\":\"info\",\"total\":0}", empty.body());
        }
    }
}
