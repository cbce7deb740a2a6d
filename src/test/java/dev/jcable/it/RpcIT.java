package dev.jcable.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.streams.MessageVerifier;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * AnyCable RPC over HTTP on the real server, against AnyCable's own backend library (@anycable/serverless-js, in
 * {@link RpcBackend}): its application identifies a connection by the {@code user} URL parameter, and its
 * {@code ChatChannel} has params, state, actions, several streams, a stream stop and a rejection. The frames are the
 * ones {@code @rails/actioncable} (actioncable-v1-json) and {@code @anycable/core} (the extended protocol) send.
 */
class RpcIT extends AsClient {

    static RpcBackend backend;

    @Deployment(testable = false)
    static WebArchive deployment() throws Exception {
        // the default key: HMAC-SHA256(secret, "rpc-cable"), as AnyCable derives it
        backend = new RpcBackend("rpc-backend.mjs", MessageVerifier.derive(Cable.SECRET, "rpc-cable"));
        return Cable.war(Map.of("rpc_host", backend.url(), "sse", "true"));
    }

    @AfterAll
    static void stopBackend() {
        backend.close();
    }

    private static String room(String name) {
        return "{\"channel\":\"ChatChannel\",\"room\":\"" + name + "\"}";
    }

    /** The application's own confirmation (its key order), passed on as it is. */
    private static String confirmed(String identifier) {
        return "{\"identifier\":" + Cable.quoted(identifier) + ",\"type\":\"confirm_subscription\"}";
    }

    private static String perform(String identifier, String dataJson) {
        return Cable.command("message", identifier, "\"data\":" + Cable.quoted(dataJson));
    }

    @Test
    void theApplicationIdentifiesSubscribesAndKeepsState() {
        String name = Cable.stream("r");
        String room = room(name);
        String sid;
        try (WsClient alice = WsClient.connect(cable.ws("user=alice"))) {
            sid = alice.sid();
            assertEquals("{\"type\":\"welcome\",\"sid\":\"" + alice.sid() + "\"}", alice.welcome()); // jcable's, once
            String connect = backend.await(line -> line.startsWith("rpc connect " + alice.sid() + " "));
            assertTrue(connect.contains("\"url\":\"http://localhost:" + cable.http().getPort() + "/cable?user=alice\""),
                    connect);
            // the peer's address, as anycable-go passes it (the client is on loopback, IPv4 or IPv6)
            assertTrue(connect.matches(".*\"REMOTE_ADDR\":\"(127\\.0\\.0\\.1|0:0:0:0:0:0:0:1|::1)\".*"), connect);
            alice.send(Cable.subscribe(room));
            alice.expect(confirmed(room));
            alice.expect(Cable.messageFrame(room, "{\"hello\":\"alice\",\"room\":\"" + name + "\"}"));
            String subscribe = backend.await(line -> line.startsWith("rpc command " + alice.sid() + " ")
                    && line.contains("\"command\":\"subscribe\""));
            assertTrue(subscribe.contains("\"connection_identifiers\":\"{\\\"user\\\":\\\"alice\\\"}\""), subscribe);
            assertTrue(subscribe.contains("\"cstate\":{\"since\":\"connect\"}"), subscribe); // kept, sent back

            alice.send(perform(room, "{\"action\":\"echo\",\"text\":\"one\"}"));
            alice.expect(Cable.messageFrame(room, "{\"echo\":\"one\",\"count\":1,\"user\":\"alice\"}"));
            alice.send(perform(room, "{\"action\":\"echo\",\"text\":\"two\"}"));
            alice.expect(Cable.messageFrame(room, "{\"echo\":\"two\",\"count\":2,\"user\":\"alice\"}")); // istate

            cable.broadcast("{\"stream\":\"chat:" + name + "\",\"data\":\"{\\\"text\\\":\\\"hi\\\"}\"}");
            alice.expectDurable(room, "{\"text\":\"hi\"}", "chat:" + name, 1);
        }
        String disconnect = backend.await(line -> line.startsWith("rpc disconnect " + sid + " "));
        assertTrue(disconnect.contains("\"subscriptions\":[" + Cable.quoted(room) + "]"), disconnect);
        assertTrue(disconnect.contains("\"identifiers\":\"{\\\"user\\\":\\\"alice\\\"}\""), disconnect);
    }

    @Test
    void railsFramesFollowAndStopStreams() {
        String name = Cable.stream("a");
        String other = Cable.stream("b");
        String room = room(name);
        try (WsClient bob = WsClient.connect(cable.ws("user=bob"), WsClient.PLAIN);
             WsClient witness = WsClient.connect(cable.ws("user=wit"), WsClient.PLAIN)) {
            bob.send(Cable.subscribe(room));
            bob.expect(confirmed(room));
            bob.next(); // hello
            witness.send(Cable.subscribe(room));
            witness.expect(confirmed(room));
            witness.next();

            bob.send(perform(room, "{\"action\":\"follow\",\"room\":\"" + other + "\"}"));
            bob.expect(Cable.messageFrame(room, "{\"following\":\"" + other + "\"}"));
            cable.broadcast("{\"stream\":\"chat:" + other + "\",\"data\":\"{\\\"on\\\":\\\"other\\\"}\"}");
            bob.expectDurable(room, "{\"on\":\"other\"}", "chat:" + other, 1);

            bob.send(perform(room, "{\"action\":\"quiet\"}"));
            bob.expect(Cable.messageFrame(room, "{\"stopped\":\"" + name + "\"}"));
            cable.broadcast("{\"stream\":\"chat:" + name + "\",\"data\":\"{\\\"on\\\":\\\"first\\\"}\"}");
            witness.expectDurable(room, "{\"on\":\"first\"}", "chat:" + name, 1);
            // the fan-out that reached the witness is over: had bob still followed the stream, the frame would be
            // queued for him before the answer to the echo below
            bob.send(perform(room, "{\"action\":\"echo\",\"text\":\"after\"}"));
            bob.expect(Cable.messageFrame(room, "{\"echo\":\"after\",\"count\":1,\"user\":\"bob\"}"));
            cable.broadcast("{\"stream\":\"chat:" + other + "\",\"data\":\"{\\\"still\\\":true}\"}");
            bob.expectDurable(room, "{\"still\":true}", "chat:" + other, 2);
        }
    }

    @Test
    void aRejectionAndARefusedConnection() {
        try (WsClient carol = WsClient.connect(cable.ws("user=carol"))) {
            String closed = room("closed");
            carol.send(Cable.subscribe(closed));
            carol.expect("{\"identifier\":" + Cable.quoted(closed) + ",\"type\":\"reject_subscription\"}");
            String fine = room(Cable.stream("f"));
            carol.send(Cable.subscribe(fine));
            carol.expect(confirmed(fine)); // the connection carries on
        }
        try (WsClient nobody = WsClient.attempt(cable.ws(null), Map.of())) {
            nobody.expect("{\"type\":\"disconnect\",\"reason\":\"unauthorized\",\"reconnect\":false}");
            nobody.awaitClose();
        }
    }

    /**
     * Server-sent events with the application's RPC channel (docs/sse.md): the same Connect (the request's URL and
     * query), subscribe, transmissions and Disconnect as a WebSocket's; a rejection and a refused connection are 401.
     */
    @Test
    void serverSentEventsFollowAnRpcChannel() {
        String name = Cable.stream("sse");
        String room = room(name);
        String query = "user=alice&identifier=" + URLEncoder.encode(room, StandardCharsets.UTF_8);
        String sid;
        try (SseClient alice = SseClient.open(cable.http(), "/events?" + query, Map.of())) {
            assertEquals(200, alice.status);
            alice.await("the channel's greeting", 20, () -> alice.events.size() >= 3);
            sid = alice.events.get(0).data().split("\"sid\":\"")[1].split("\"")[0];
            assertEquals(List.of(new SseClient.Event("welcome", "{\"type\":\"welcome\",\"sid\":\"" + sid + "\"}", null),
                    new SseClient.Event("confirm_subscription", confirmed(room), null),
                    new SseClient.Event("message", "{\"hello\":\"alice\",\"room\":\"" + name + "\"}", null)),
                    alice.events.subList(0, 3));
            String connect = backend.await(line -> line.startsWith("rpc connect " + sid + " "));
            assertTrue(connect.contains("\"url\":\"http://localhost:" + cable.http().getPort() + "/events?" + query
                    + "\""), connect);
            String subscribe = backend.await(line -> line.startsWith("rpc command " + sid + " ")
                    && line.contains("\"command\":\"subscribe\""));
            assertTrue(subscribe.contains("\"connection_identifiers\":\"{\\\"user\\\":\\\"alice\\\"}\""), subscribe);

            cable.broadcast("{\"stream\":\"chat:" + name + "\",\"data\":\"{\\\"text\\\":\\\"hi\\\"}\"}");
            alice.await("the broadcast", 20, () -> alice.events.stream().filter(e -> e.event().equals("message"))
                    .count() == 2);
            SseClient.Event hi = alice.events.stream().filter(e -> e.event().equals("message")).skip(1).findFirst()
                    .orElseThrow();
            assertEquals("{\"text\":\"hi\"}", hi.data());
            assertTrue(hi.id().matches("1/chat:" + name + "/[^/]+"), hi.id());
        }
        // the client went: the next ping's write fails, and the application hears of it
        String disconnect = backend.await(line -> line.startsWith("rpc disconnect " + sid + " "));
        assertTrue(disconnect.contains("\"subscriptions\":[" + Cable.quoted(room) + "]"), disconnect);

        // channel=: the application's channel without parameters, which this one rejects (no room)
        try (SseClient roomless = SseClient.open(cable.http(), "/events?user=bob&channel=ChatChannel", Map.of())) {
            assertEquals(401, roomless.status);
            roomless.await("the refusal's body", 20, roomless::ended);
            assertEquals("{\"error\":\"unauthorized\",\"message\":\"the subscription was rejected\"}",
                    roomless.body());
        }
        try (SseClient nobody = SseClient.open(cable.http(), "/events?identifier="
                + URLEncoder.encode(room, StandardCharsets.UTF_8), Map.of())) {
            assertEquals(401, nobody.status, "Connect refused the connection (no user)");
            nobody.await("the refusal's body", 20, nobody::ended);
            assertEquals("{\"error\":\"unauthorized\",\"message\":\"the connection was refused\"}",
                    nobody.body());
        }
    }

    @Test
    void theOfficialClients() throws Exception {
        String output = ClientCompatIT.node("rpc-clients.mjs", cable.ws(null).toString(), cable.http().toString(),
                Cable.BROADCAST_KEY, Cable.stream("js"));
        assertTrue(output.contains("rpc-clients: 5 passed, 0 failed"), output);
    }
}
