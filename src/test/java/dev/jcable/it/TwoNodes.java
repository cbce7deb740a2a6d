package dev.jcable.it;

import static dev.jcable.it.Cable.command;
import static dev.jcable.it.Cable.presenceFrame;
import static dev.jcable.it.Cable.signedIdentifier;
import static dev.jcable.it.Cable.subscribed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What two jcable nodes on one Redis must show, whatever the server: checked by {@link ClusterIT} (two Payara Micro
 * processes) and {@link CrossNodeIT} (WildFly, Open Liberty). {@code a} and {@code b} are the two nodes.
 */
final class TwoNodes {

    private TwoNodes() {
    }

    /**
     * {@code count} broadcasts, made on either node in turn, reach a subscriber on each node once each, in offset
     * order, under one epoch. Both subscribers stay subscribed for {@code then}, where the stream's next offset is
     * {@code count + 2} (a barrier's marker took {@code count + 1}).
     */
    static void broadcastsReachEveryNodeOnceInOffsetOrder(Cable a, Cable b, String stream, int count,
                                                         Then then) {
        String identifier = signedIdentifier(stream);
        try (WsClient onA = a.connect(); WsClient onB = b.connect()) {
            subscribed(onA, identifier);
            subscribed(onB, identifier);
            for (int n = 1; n <= count; n++) {
                Cable via = n % 2 == 0 ? a : b;
                assertEquals(201, via.broadcast("{\"stream\":\"" + stream + "\",\"data\":\"" + n + "\"}").statusCode());
            }
            String epoch = onA.expectDurable(identifier, "1", stream, 1);
            assertEquals(epoch, onB.expectDurable(identifier, "1", stream, 1), "one epoch per stream, cluster-wide");
            for (int n = 2; n <= count; n++) {
                onA.expectDurable(identifier, Integer.toString(n), stream, n);
                onB.expectDurable(identifier, Integer.toString(n), stream, n);
            }
            // no repeat: the barrier's marker goes through Redis after the last of them (offset count + 1)
            WsClient.expectQuiet(a, stream, onA, onB);
            then.with(identifier, onA, onB);
        }
    }

    static void broadcastsReachEveryNodeOnceInOffsetOrder(Cable a, Cable b, String stream, int count) {
        broadcastsReachEveryNodeOnceInOffsetOrder(a, b, stream, count, (identifier, onA, onB) -> {
        });
    }

    /** What a caller checks next with the two subscribers of {@link #broadcastsReachEveryNodeOnceInOffsetOrder}. */
    @FunctionalInterface
    interface Then {
        void with(String identifier, WsClient onA, WsClient onB);
    }

    /**
     * One presence id joined on both nodes is one member: one join, the cluster's set on either node, and one leave
     * once its last session (on the other node) leaves.
     */
    static void oneIdOnTwoNodesIsOneMemberUntilItsLastSessionLeaves(Cable a, Cable b, String stream) {
        String identifier = signedIdentifier(stream);
        try (WsClient viewer = b.connect(); WsClient onA = a.connect(); WsClient onB = b.connect()) {
            subscribed(viewer, identifier);
            subscribed(onA, identifier);
            subscribed(onB, identifier);
            onA.send(command("join", identifier, "\"presence\":{\"id\":\"42\",\"info\":{\"name\":\"Vova\"}}"));
            String join = presenceFrame(identifier, "{\"type\":\"join\",\"id\":\"42\",\"info\":{\"name\":\"Vova\"},\"seq\":1}");
            viewer.expect(join);
            onA.expect(join);
            onB.expect(join);
            onB.send(command("join", identifier, "\"presence\":{\"id\":\"42\",\"info\":{\"name\":\"Vova\"}}"));
            onB.send(command("presence", identifier, null)); // answered once its join is done
            onB.expect(presenceFrame(identifier,
                    "{\"type\":\"info\",\"total\":1,\"seq\":1,\"records\":[{\"id\":\"42\",\"info\":{\"name\":\"Vova\"}}]}"));
            // the same member: no second join, on either node (the marker is published on node b, where onB joined)
            WsClient.expectQuiet(b, stream, viewer, onA, onB);
            String path = "api/presence/" + stream.replace(":", "%3A") + "/users";
            assertEquals("{\"type\":\"info\",\"total\":1,\"seq\":1,\"records\":[{\"id\":\"42\",\"info\":{\"name\":\"Vova\"}}]}",
                    a.get(path, "Bearer " + Cable.API_KEY).body(), "the cluster's set, asked on the other node");
            onA.send(command("leave", identifier, null));
            onA.expectNoReply(); // its leave is done
            WsClient.expectQuiet(a, stream, viewer, onA, onB); // still held on node b: no leave anywhere
            onB.send(command("leave", identifier, null));
            viewer.expect(presenceFrame(identifier, "{\"type\":\"leave\",\"id\":\"42\",\"seq\":2}"));
            WsClient.expectQuiet(a, stream, viewer); // one leave
        }
    }

    /** A connection identified as {@code identifiers} (a JWT the test server's secret signs). */
    static WsClient identified(Cable node, String identifiers) {
        return WsClient.connect(node.ws("jid=" + Cable.jwt(Cable.SECRET, identifiers,
                System.currentTimeMillis() / 1000 + 300)));
    }

    /**
     * A remote disconnect, sent by {@code send} (the command's JSON as its argument), closes the connections with
     * those identifiers on both nodes, each told why and not to reconnect; a connection of another user on each node
     * is untouched (each stays open and quiet after the others' goodbye, which came from the same pass).
     */
    static void remoteDisconnectClosesThoseIdentifiersOnEveryNode(Cable a, Cable b, String user,
                                                                 java.util.function.Consumer<String> send) {
        String ids = "{\"user_id\":\"" + user + "\"}";
        try (WsClient userOnA = identified(a, ids); WsClient userOnB = identified(b, ids);
             WsClient otherOnA = identified(a, "{\"user_id\":\"other-" + user + "\"}");
             WsClient otherOnB = identified(b, "{\"user_id\":\"other-" + user + "\"}")) {
            send.accept("{\"command\":\"disconnect\",\"payload\":{\"identifier\":" + Cable.quoted(ids)
                    + ",\"reconnect\":false}}");
            for (WsClient gone : new WsClient[] {userOnA, userOnB}) {
                gone.expect("{\"type\":\"disconnect\",\"reason\":\"remote\",\"reconnect\":false}");
                gone.awaitClose();
            }
            // a goodbye for them would be in their outboxes already (each node's pass wrote the user's and theirs
            // together): their own lanes' pongs are proof enough
            otherOnA.expectNoReply();
            otherOnB.expectNoReply();
        }
    }

    /**
     * The -D options (system properties) that put a node in Pusher mode as {@link PusherIT}'s app, its webhooks to
     * {@code hooks}.
     */
    static java.util.List<String> pusherMode(PusherHooks hooks) {
        return java.util.List.of("anycable.pusher_app_id=" + PusherIT.APP_ID, "anycable.pusher_app_key="
                + PusherIT.APP_KEY, "anycable.pusher_secret=" + PusherIT.APP_SECRET, "anycable.pusher_webhook_url="
                + hooks.url());
    }

    /**
     * One Pusher presence channel spread over both nodes, both in Pusher mode with webhooks to {@code hooks}
     * (src/test/node/pusher-cluster.mjs, with pusher-js, Laravel Echo and the {@code pusher} SDK): member lists and
     * member events cluster-wide, one member per user across nodes, client events and {@code trigger} across nodes,
     * the HTTP API of either node, webhooks once per cluster.
     */
    static void pusherPresenceChannelSpreadOverBothNodes(Cable a, Cable b, PusherHooks hooks) throws Exception {
        String output = ClientCompatIT.node("pusher-cluster.mjs", a.http().getHost(),
                String.valueOf(a.http().getPort()), b.http().getHost(), String.valueOf(b.http().getPort()),
                PusherIT.APP_ID, PusherIT.APP_KEY, PusherIT.APP_SECRET, hooks.url());
        assertTrue(output.contains("pusher-cluster: 9 passed, 0 failed"), output);
    }
}
