package dev.jcable.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * AnyCable RPC over gRPC on the real server, against a gRPC server on AnyCable's rpc.proto ({@code @grpc/grpc-js},
 * src/test/node/rpc-grpc-backend.mjs): presence joined and left by the channel from its command responses, a slow
 * backend (the deployment allows 2 calls in flight and 5,000 ms per call) and, last, a dead one.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RpcGrpcIT extends AsClient {

    static RpcBackend backend;

    @Deployment(testable = false)
    static WebArchive deployment() throws Exception {
        backend = new RpcBackend("rpc-grpc-backend.mjs");
        // 5,000 ms per call: the first call also opens the HTTP/2 connection, slow on a loaded machine
        return Cable.war(Map.of("rpc_host", backend.address(), "rpc_concurrency", "2",
                "rpc_request_timeout", "5000"));
    }

    @AfterAll
    static void stopBackend() {
        backend.close();
    }

    private static String room(String name) {
        return "{\"channel\":\"LobbyChannel\",\"room\":\"" + name + "\"}";
    }

    private static String typed(String identifier, String type) {
        return "{\"identifier\":" + Cable.quoted(identifier) + ",\"type\":\"" + type + "\"}";
    }

    @Test
    @Order(1)
    void theChannelJoinsAndLeavesPresenceFromItsAnswers() {
        String room = room(Cable.stream("p"));
        try (WsClient ann = WsClient.connect(cable.ws("user=ann"));
             WsClient bob = WsClient.connect(cable.ws("user=bob"))) {
            ann.send(Cable.subscribe(room));
            ann.expect(typed(room, "confirm_subscription"));
            ann.expect(Cable.messageFrame(room, "{\"hello\":\"ann\"}"));
            ann.expect(Cable.presenceFrame(room, "{\"type\":\"join\",\"id\":\"ann\",\"info\":{\"name\":\"ANN\"},\"seq\":1}"));
            bob.send(Cable.subscribe(room));
            bob.expect(typed(room, "confirm_subscription"));
            bob.expect(Cable.messageFrame(room, "{\"hello\":\"bob\"}"));
            bob.expect(Cable.presenceFrame(room, "{\"type\":\"join\",\"id\":\"bob\",\"info\":{\"name\":\"BOB\"},\"seq\":2}"));
            ann.expect(Cable.presenceFrame(room, "{\"type\":\"join\",\"id\":\"bob\",\"info\":{\"name\":\"BOB\"},\"seq\":2}"));
            bob.send(Cable.command("presence", room, null)); // the same presence store a client's join uses
            bob.expect(Cable.presenceFrame(room, "{\"type\":\"info\",\"total\":2,\"seq\":2,\"records\":["
                    + "{\"id\":\"ann\",\"info\":{\"name\":\"ANN\"}},{\"id\":\"bob\",\"info\":{\"name\":\"BOB\"}}]}"));

            ann.send(Cable.command("message", room, "\"data\":" + Cable.quoted("{\"action\":\"leave\"}")));
            ann.expect(Cable.messageFrame(room, "{\"left\":\"ann\"}")); // the channel state came back
            bob.expect(Cable.presenceFrame(room, "{\"type\":\"leave\",\"id\":\"ann\",\"seq\":3}"));
            ann.expect(Cable.presenceFrame(room, "{\"type\":\"leave\",\"id\":\"ann\",\"seq\":3}")); // still subscribed

            String closed = room("closed");
            ann.send(Cable.subscribe(closed));
            ann.expect(typed(closed, "reject_subscription"));
        }
        backend.await(line -> line.startsWith("rpc Disconnect ") && line.contains("{\"user\":\"ann\"}"));
    }

    @Test
    @Order(2)
    void aSlowBackendIsCappedAndTimedOut() {
        List<WsClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                clients.add(WsClient.connect(cable.ws("user=slow" + i)));
            }
            int before = backend.lines.size();
            String second = "{\"channel\":\"SlowChannel\",\"ms\":\"1000\"}";
            for (WsClient client : clients) {
                client.send(Cable.subscribe(second));
            }
            for (WsClient client : clients) { // the third waits for a slot: up to 2 s, more on a loaded machine
                client.until(typed(second, "confirm_subscription")::equals, 30_000);
            }
            int most = backend.lines.subList(before, backend.lines.size()).stream()
                    .filter(line -> line.startsWith("inflight ")).mapToInt(line -> Integer.parseInt(line.substring(9)))
                    .max().orElse(0);
            assertEquals(2, most, "rpc_concurrency=2: calls the backend had in progress at once");

            String tooSlow = "{\"channel\":\"SlowChannel\",\"ms\":\"9000\"}";
            clients.get(0).send(Cable.subscribe(tooSlow));
            String rejected = "{\"identifier\":" + Cable.quoted(tooSlow)
                    + ",\"type\":\"reject_subscription\",\"reason\":\"rpc_timeout\"}";
            List<String> frames = clients.get(0).until(frame -> !frame.contains("\"type\":\"ping\""), 30_000);
            assertEquals(rejected, frames.get(frames.size() - 1)); // after rpc_request_timeout, not the 9 s
        } finally {
            clients.forEach(WsClient::close);
        }
    }

    @Test
    @Order(3)
    void aDeadBackendRefusesConnections() throws Exception {
        backend.kill();
        try (WsClient nobody = WsClient.attempt(cable.ws("user=late"), Map.of())) {
            assertEquals("1011 Auth Error", nobody.awaitClose(30_000));
        }
        String metrics = cable.get("metrics", "Bearer m3trics").body(); // the suite's metrics_key
        assertTrue(metrics.matches("(?s).*\\nanycable_go_rpc_retries_total [1-9].*"), metrics);
        assertTrue(metrics.matches("(?s).*\\nanycable_go_rpc_capacity_num 2\\.0.*"), metrics);
    }
}
