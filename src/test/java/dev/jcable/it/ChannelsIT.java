package dev.jcable.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.it.app.RequestStamp;
import dev.jcable.it.app.TestChannel;
import dev.jcable.it.app.TestIdentifier;
import dev.jcable.it.app.TestObserver;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.junit.jupiter.api.AfterAll;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;

/**
 * Channels in Java on the real server: the WAR with a test channel ({@link TestChannel}) and connection identifier
 * ({@link TestIdentifier}) added, driven with the frames {@code @rails/actioncable} sends and by the official
 * {@code @anycable/core} client (src/test/node/channels.mjs).
 */
class ChannelsIT extends AsClient {

    /** Receives the deployment's presence webhooks (its URL is written into the test WAR's web.xml). */
    static HookReceiver hooks;

    @Deployment(testable = false)
    static WebArchive deployment() throws Exception {
        hooks = new HookReceiver();
        WebArchive war = Cable.war().addClasses(TestChannel.class, TestIdentifier.class, RequestStamp.class,
                TestObserver.class);
        String webXml;
        try (InputStream in = war.get("WEB-INF/web.xml").getAsset().openStream()) {
            webXml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String url = hooks.url();
        webXml = webXml.replaceFirst("(<env-entry-name>anycable/presence_webhook_url</env-entry-name>\\s*"
                + "<env-entry-type>java.lang.String</env-entry-type>\\s*<env-entry-value>)(</env-entry-value>)",
                "$1" + url + "$2");
        if (!webXml.contains(url)) {
            throw new IllegalStateException("presence_webhook_url not found in web.xml");
        }
        war.delete("WEB-INF/web.xml");
        return war.setWebXML(new StringAsset(webXml));
    }

    @AfterAll
    static void stopReceiver() {
        hooks.close();
    }

    private static String room(String name) {
        return "{\"channel\":\"TestChannel\",\"room\":\"" + name + "\"}"; // Rails keeps the caller's key order
    }

    private static String perform(String identifier, String dataJson) {
        return Cable.command("message", identifier, "\"data\":" + Cable.quoted(dataJson));
    }

    @Test
    void railsFramesSubscribePerformAndUnsubscribe() {
        String room = room(Cable.stream("r"));
        String stream = "TestChannel:" + room.replaceAll(".*\"room\":\"([^\"]+)\".*", "$1");
        try (WsClient alice = WsClient.connect(cable.ws("user=alice"), WsClient.PLAIN);
             WsClient bob = WsClient.connect(cable.ws("user=bob"), WsClient.PLAIN)) {
            Cable.subscribed(alice, room);
            alice.expect(Cable.messageFrame(room, "{\"hello\":{\"user\":\"alice\"}}"));
            Cable.subscribed(bob, room);
            bob.expect(Cable.messageFrame(room, "{\"hello\":{\"user\":\"bob\"}}"));

            alice.send(perform(room, "{\"text\":\"hi\",\"action\":\"speak\"}"));
            bob.expectDurable(room, "{\"name\":\"alice\",\"text\":\"hi\"}", stream, 1);
            alice.expectDurable(room, "{\"name\":\"alice\",\"text\":\"hi\"}", stream, 1);

            alice.send(perform(room, "{\"action\":\"stamp\"}"));
            assertTrue(alice.next().matches("\\{\"identifier\":.*,\"message\":\\{\"stamp\":\"request-\\d+\"}}"));

            alice.send(perform(room, "{\"action\":\"fail\"}"));
            alice.send(perform(room, "{\"action\":\"unknown\"}"));
            alice.expectNoReply(); // a failed or unknown action is answered with nothing, and the connection lives
            WsClient.expectQuiet(cable, stream, alice, bob); // and broadcast nothing (the marker is offset 2)

            alice.send(Cable.command("unsubscribe", room, null));
            bob.expectDurable(room, "{\"gone\":\"alice\"}", stream, 3);
        }
    }

    @Test
    void aRejectionIsAnsweredAndAThrowingSubscribeGetsNothing() {
        try (WsClient client = WsClient.connect(cable.ws("user=carol"))) {
            client.send(Cable.subscribe(room("closed")));
            client.expect(Cable.reject(room("closed")));
            client.send(Cable.subscribe(room("broken")));
            client.expectNoReply(); // subscribed to nothing: only its own lane could answer
            String fine = room(Cable.stream("fine"));
            Cable.subscribed(client, fine); // the connection carries on
        }
    }

    @Test
    void presenceJoinedFromTheServerLooksLikeAClientJoin() {
        String name = Cable.stream("p");
        String member = "{\"channel\":\"TestChannel\",\"member\":true,\"room\":\"" + name + "\"}";
        String watcher = room(name);
        try (WsClient bob = WsClient.connect(cable.ws("user=bob"));
             WsClient alice = WsClient.connect(cable.ws("user=alice"))) {
            Cable.subscribed(bob, watcher);
            bob.next(); // hello
            Cable.subscribed(alice, member);
            alice.expect(Cable.messageFrame(member, "{\"hello\":{\"user\":\"alice\"}}"));
            String join = "{\"type\":\"join\",\"id\":\"alice\",\"info\":{\"name\":\"alice\"},\"seq\":1}";
            alice.expect(Cable.presenceFrame(member, join));
            bob.expect(Cable.presenceFrame(watcher, join));
            bob.send(Cable.command("presence", watcher, null));
            bob.expect(Cable.presenceFrame(watcher,
                    "{\"type\":\"info\",\"total\":1,\"seq\":1,\"records\":[{\"id\":\"alice\",\"info\":{\"name\":\"alice\"}}]}"));
        }
    }

    @Test
    void observersAndTheWebhookSeeTheFirstJoinTheLastLeaveAndConnectionsExactlyOnce() throws Exception {
        String name = Cable.stream("o");
        String member = "{\"channel\":\"TestChannel\",\"member\":true,\"room\":\"" + name + "\"}";
        String events = "{\"channel\":\"$pubsub\",\"signed_stream_name\":\"" + Cable.sign(TestObserver.STREAM)
                + "\"}";
        String stream = "TestChannel:" + name;
        String user = "dave-" + name.substring(2);
        try (WsClient watcher = WsClient.connect(cable.ws("user=watcher"))) {
            Cable.subscribed(watcher, events);
            try (WsClient tab1 = WsClient.connect(cable.ws("user=" + user));
                 WsClient tab2 = WsClient.connect(cable.ws("user=" + user))) {
                Cable.subscribed(tab1, member);
                Cable.subscribed(tab2, member); // the same id again: no second join
                tab1.until(f -> f.contains("\"type\":\"join\""));
                // tab2's join follows its confirmation on tab2's own thread (confirm, then presence, as AnyCable):
                // an action answered on tab2 proves it is recorded, so tab1's leave below is not the last one
                tab2.send(perform(member, "{\"action\":\"stamp\"}"));
                tab2.until(f -> f.contains("\"stamp\""));
                tab1.send(Cable.command("leave", member, null)); // tab2 still holds the id: no leave
                tab2.send(Cable.command("leave", member, null));
                tab2.until(f -> f.contains("\"type\":\"leave\""));
            }
            java.util.List<String> mine = new java.util.ArrayList<>();
            java.util.Set<String> expected = java.util.Set.of(
                    "sync opened {\"user\":\"" + user + "\"}",
                    "sync joined " + stream + " " + user + " {\"name\":\"" + user + "\"} #1",
                    "async joined " + stream + " " + user + " #1",
                    "sync left " + stream + " " + user + " #2",
                    "async closed {\"user\":\"" + user + "\"}");
            // 2 opened, 1 sync join, 1 async join, 1 leave, 2 closed: each once
            watcher.until(frame -> {
                String line = frame.replaceAll("^.*\"message\":\"(.*)\",\"stream_id\".*$", "$1").replace("\\\"", "\"");
                if (line.contains(user)) {
                    mine.add(line);
                }
                return mine.size() == 7;
            }, 10_000);
            assertEquals(expected, java.util.Set.copyOf(mine), mine.toString());
            assertEquals(2, mine.stream().filter(l -> l.startsWith("sync opened")).count(), mine.toString());
            assertEquals(2, mine.stream().filter(l -> l.startsWith("async closed")).count(), mine.toString());
            // the webhook got the same transitions, once each, signed with the secret
            assertEquals(List.of("channel_occupied", "member_added " + user + " #1", "member_removed " + user + " #2",
                    "channel_vacated"), hooks.events(stream, 4));

            // and no second join or leave came after (other tests' members may still leave on this shared stream)
            watcher.send("{\"command\":\"ping\"}");
            List<String> after = watcher.until(f -> f.equals("{\"type\":\"pong\"}"));
            assertTrue(after.stream().noneMatch(f -> f.contains(user)), after.toString());
        }
    }

    @Test
    void theIdentifierRefusesOrFails() {
        try (WsClient refused = WsClient.attempt(cable.ws("user=refused"), Map.of())) {
            assertEquals("{\"type\":\"disconnect\",\"reason\":\"unauthorized\",\"reconnect\":false}", refused.next());
            assertEquals("1000 Auth Failed", refused.awaitClose());
        }
        try (WsClient crashed = WsClient.attempt(cable.ws("user=crash"), Map.of())) {
            assertEquals("1011 Auth Error", crashed.awaitClose());
            assertTrue(crashed.drain().isEmpty());
        }
    }

    @Test
    void theOfficialClientSubscribesPerformsIsRejectedIdentifiedAndRefused() throws Exception {
        String output = ClientCompatIT.node("channels.mjs", cable.ws(null).toString(), Cable.stream("js"));
        assertTrue(output.contains("channels: 5 passed, 0 failed"), output);
    }
}
