package dev.jcable.it;

import static dev.jcable.it.Cable.command;
import static dev.jcable.it.Cable.presenceFrame;
import static dev.jcable.it.Cable.signedIdentifier;
import static dev.jcable.it.Cable.stream;
import static dev.jcable.it.Cable.subscribed;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;

/**
 * Control from outside and from the application: the presence count (REST and Java), remote disconnects
 * ({@code POST /_broadcast} and Java; across nodes in ClusterIT and CrossNodeIT).
 */
class ControlIT extends AsClient {

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Cable.war().addClasses(ControlProbe.class, ControlProbe.ProbeApplication.class);
    }

    private static String join(String identifier, String id) {
        return command("join", identifier, "\"presence\":{\"id\":\"" + id + "\",\"info\":{}}");
    }

    private String restCount(String stream) {
        var response = cable.get("api/presence/" + URLEncoder.encode(stream, StandardCharsets.UTF_8) + "/count",
                "Bearer " + Cable.API_KEY);
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElse("").split(";")[0]);
        return response.body();
    }

    private String javaCount(String stream) {
        return cable.get("control-probe/count/" + URLEncoder.encode(stream, StandardCharsets.UTF_8), null).body();
    }

    @Test
    void presenceCountCountsDistinctIdsOverRestAndTheJavaApi() {
        String stream = stream("count/room");
        String identifier = signedIdentifier(stream);
        assertEquals("{\"type\":\"count\",\"total\":0}", restCount(stream));
        assertEquals("0", javaCount(stream));
        try (WsClient a = cable.connect(WsClient.EXT); WsClient b = cable.connect(WsClient.EXT);
             WsClient c = cable.connect(WsClient.EXT)) {
            for (WsClient client : new WsClient[] {a, b, c}) {
                subscribed(client, identifier);
            }
            String joined1 = presenceFrame(identifier, "{\"type\":\"join\",\"id\":\"1\",\"info\":{},\"seq\":1}");
            String joined2 = presenceFrame(identifier, "{\"type\":\"join\",\"id\":\"2\",\"info\":{},\"seq\":2}");
            a.send(join(identifier, "1"));
            a.expect(joined1);
            b.expect(joined1);
            c.expect(joined1);
            b.send(join(identifier, "1")); // a second tab of 1: still one member, silently
            b.expectNoReply(); // its join ran (a connection's commands run in order)
            WsClient.expectQuiet(cable, stream, a, b, c); // and no second join reached anyone
            c.send(join(identifier, "2"));
            c.expect(joined2);
            assertEquals("{\"type\":\"count\",\"total\":2}", restCount(stream));
            assertEquals("2", javaCount(stream));
            var unauthorized = cable.get("api/presence/x/count", "Bearer wrong");
            assertEquals(401, unauthorized.statusCode());
            assertEquals("{\"error\":\"unauthorized\",\"message\":\"wrong key in the Authorization header\"}",
                    unauthorized.body());
        }
    }

    @Test
    void aRemoteDisconnectOverHttpClosesEveryConnectionOfThoseIdentifiersAndNobodyElse() {
        // the command's identifier is compared as JSON: spaces in it do not matter
        TwoNodes.remoteDisconnectClosesThoseIdentifiersOnEveryNode(cable, cable, "http-" + stream("u"),
                command -> assertEquals(201, cable.broadcast(command.replace("{\\\"user_id\\\":",
                        "{ \\\"user_id\\\" : ")).statusCode()));
    }

    @Test
    void theJavaApiDisconnectsAndMayLetTheClientReconnect() {
        String ids = "{\"user_id\":\"java-" + stream("u") + "\"}";
        try (WsClient user = TwoNodes.identified(cable, ids); WsClient other = TwoNodes.identified(cable, "{\"user_id\":\"x\"}")) {
            assertEquals(204, cable.post("control-probe/disconnect?reconnect=true", null, ids).statusCode());
            user.expect("{\"type\":\"disconnect\",\"reason\":\"remote\",\"reconnect\":true}");
            user.awaitClose();
            other.expectNoReply(); // a goodbye would be in its outbox already: the same synchronous pass wrote user's
        }
    }

    @Test
    void aMalformedRemoteCommandIs422AndDisconnectsNobody() {
        String ids = "{\"user_id\":\"bad-" + stream("u") + "\"}";
        try (WsClient user = TwoNodes.identified(cable, ids)) {
            var unknown = cable.broadcast("{\"command\":\"restart\",\"payload\":{\"identifier\":" + Cable.quoted(ids) + "}}");
            assertEquals(422, unknown.statusCode());
            assertEquals("{\"error\":\"invalid_publication\",\"message\":\"command must be \\\"disconnect\\\" (the only"
                    + " remote command)\"}", unknown.body());
            var noIdentifier = cable.broadcast("[{\"command\":\"disconnect\",\"payload\":{\"identifier\":" + Cable.quoted(ids)
                    + "}},{\"command\":\"disconnect\",\"payload\":{}}]");
            assertEquals(422, noIdentifier.statusCode());
            assertEquals("{\"error\":\"invalid_publication\",\"message\":\"[1]payload.identifier must be a non-empty"
                    + " string (the connection's identifiers as JSON)\"}", noIdentifier.body());
            // the valid first command of the bad batch was not sent either: the memory broker runs a remote command
            // within the HTTP call, so its goodbye would be in the outbox before the 422
            user.expectNoReply();
        }
    }
}
