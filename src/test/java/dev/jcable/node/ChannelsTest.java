package dev.jcable.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.api.CableChannel;
import dev.jcable.api.ChannelContext;
import dev.jcable.broker.Publication;
import dev.jcable.channels.ChannelType;
import dev.jcable.channels.Channels;
import dev.jcable.config.Option;
import dev.jcable.protocol.JsonText;
import dev.jcable.session.OutboxTest;
import jakarta.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Application channels through a real node: lifecycle, actions, rejection, server-side presence, errors. */
class ChannelsTest {

    static final String EXT = "actioncable-v1-ext-json";
    static final String ROOM = "{\"channel\":\"ChatChannel\",\"room\":\"1\"}";
    static final String Q_ROOM = JsonText.quote(ROOM);

    /** A channel as an application writes one; it records its callbacks. */
    @CableChannel("ChatChannel")
    public static class Chat {
        final List<String> calls = new CopyOnWriteArrayList<>();
        Node node;

        public void subscribed(ChannelContext channel) {
            String room = channel.params().getString("room");
            calls.add("subscribed " + room + " by " + channel.identifiers());
            if (room.equals("closed")) {
                channel.reject();
                return;
            }
            if (room.equals("broken")) {
                throw new IllegalStateException("no such room");
            }
            channel.streamFrom("chat/" + room);
            channel.transmit("{\"welcome\":\"" + room + "\"}");
            String uid = channel.connectionParameter("uid");
            if (uid != null) {
                channel.joinPresence(uid, "{\"name\":\"" + channel.connectionParameter("name") + "\"}");
            }
        }

        public void speak(ChannelContext channel, JsonObject data) {
            node.publish(new Publication("chat/" + channel.params().getString("room"),
                    "{\"text\":" + data.get("text") + "}"));
        }

        /** Joins with info that is not JSON text (a name where JSON is asked for). */
        public void vova(ChannelContext channel, JsonObject data) {
            try {
                channel.joinPresence("1", "Vova");
            } catch (IllegalArgumentException e) {
                calls.add(e.getMessage());
            }
        }

        public void fail(ChannelContext channel, JsonObject data) {
            throw new IllegalArgumentException("bad " + data.getString("action"));
        }

        /** Not an action: wrong parameters. */
        public void helper(JsonObject data) {
            calls.add("helper");
        }

        public void unsubscribed(ChannelContext channel) {
            calls.add("unsubscribed " + channel.params().getString("room"));
        }
    }

    private final Chat chat = new Chat();
    private final NodeHarness harness = new NodeHarness(Map.of(Option.PING_INTERVAL, "0",
            Option.PRESENCE_TTL, "0"), Channels.of(List.of(ChannelType.of(Chat.class, chat, Runnable::run))), null);

    {
        chat.node = harness.node;
    }

    @AfterEach
    void close() {
        harness.close();
    }

    private static String frame(String command, String identifier, String more) {
        return "{\"command\":\"" + command + "\",\"identifier\":" + JsonText.quote(identifier) + more + "}";
    }

    private void send(OutboxTest.FakeSocket socket, String frame) {
        harness.node.receive(socket.session, frame, true);
    }

    @Test
    void subscribedStreamsTransmitsAndJoinsPresenceFromTheServer() {
        OutboxTest.FakeSocket alice = harness.open(EXT, Map.of("uid", "42", "name", "Alice"));
        send(alice, frame("subscribe", ROOM, ""));
        assertEquals(List.of("{\"type\":\"confirm_subscription\",\"identifier\":" + Q_ROOM + "}",
                "{\"identifier\":" + Q_ROOM + ",\"message\":{\"welcome\":\"1\"}}",
                "{\"type\":\"presence\",\"identifier\":" + Q_ROOM
                        + ",\"message\":{\"type\":\"join\",\"id\":\"42\",\"info\":{\"name\":\"Alice\"},\"seq\":1}}"),
                alice.frames.subList(1, alice.frames.size()));
        assertEquals("subscribed 1 by {\"sid\":\"" + harness.session(alice).sid() + "\"}", chat.calls.get(0));
        // the client's own presence request sees the server-side member
        send(alice, frame("presence", ROOM, ""));
        assertEquals("{\"type\":\"presence\",\"identifier\":" + Q_ROOM + ",\"message\":{\"type\":\"info\",\"total\":1,"
                + "\"seq\":1,\"records\":[{\"id\":\"42\",\"info\":{\"name\":\"Alice\"}}]}}", last(alice));
    }

    @Test
    void anActionIsCalledByNameAndItsBroadcastReachesTheRoom() {
        OutboxTest.FakeSocket alice = harness.open(EXT);
        OutboxTest.FakeSocket bob = harness.open(EXT);
        send(alice, frame("subscribe", ROOM, ""));
        send(bob, frame("subscribe", ROOM, ""));
        send(alice, frame("message", ROOM, ",\"data\":\"{\\\"action\\\":\\\"speak\\\",\\\"text\\\":\\\"hi\\\"}\""));
        String expected = "{\"identifier\":" + Q_ROOM + ",\"message\":{\"text\":\"hi\"},\"stream_id\":\"chat/1\","
                + "\"epoch\":\"" + harness.broker().epoch() + "\",\"offset\":1}";
        assertEquals(expected, last(bob));
        assertEquals(expected, last(alice));
    }

    @Test
    void aRejectionIsAnsweredAndLeavesNoSubscription() {
        OutboxTest.FakeSocket alice = harness.open(EXT);
        String closed = "{\"channel\":\"ChatChannel\",\"room\":\"closed\"}";
        send(alice, frame("subscribe", closed, ""));
        assertEquals("{\"type\":\"reject_subscription\",\"identifier\":" + JsonText.quote(closed) + "}", last(alice));
        assertTrue(harness.session(alice).subscriptions().isEmpty());
        assertEquals(0, harness.hub().streamCount());
    }

    @Test
    void whatTheApplicationThrowsGetsNoAnswerAndTheConnectionCarriesOn() {
        OutboxTest.FakeSocket alice = harness.open(EXT);
        String broken = "{\"channel\":\"ChatChannel\",\"room\":\"broken\"}";
        send(alice, frame("subscribe", broken, ""));
        assertEquals(1, alice.frames.size(), "only the welcome: a failed subscribed() is answered with nothing");
        assertTrue(harness.session(alice).subscriptions().isEmpty());

        send(alice, frame("subscribe", ROOM, ""));
        int before = alice.frames.size();
        send(alice, frame("message", ROOM, ",\"data\":\"{\\\"action\\\":\\\"fail\\\"}\""));
        send(alice, frame("message", ROOM, ",\"data\":\"{\\\"action\\\":\\\"helper\\\"}\""));
        send(alice, frame("message", ROOM, ",\"data\":\"{\\\"action\\\":\\\"nope\\\"}\""));
        assertEquals(before, alice.frames.size(), "a failed or unknown action is answered with nothing");
        assertTrue(alice.closes.isEmpty());
        send(alice, frame("message", ROOM, ",\"data\":\"{\\\"action\\\":\\\"speak\\\",\\\"text\\\":\\\"still\\\"}\""));
        assertTrue(last(alice).contains("{\"text\":\"still\"}"), last(alice));
        assertTrue(!chat.calls.contains("helper"));
    }

    /** Info that is not JSON text is refused where the application passes it, before any subscriber sees a frame. */
    @Test
    void joinPresenceWithInfoThatIsNotJsonThrowsAndSendsNothing() {
        OutboxTest.FakeSocket alice = harness.open(EXT);
        OutboxTest.FakeSocket bob = harness.open(EXT);
        send(alice, frame("subscribe", ROOM, ""));
        send(bob, frame("subscribe", ROOM, ""));
        int alices = alice.frames.size();
        int bobs = bob.frames.size();
        send(alice, frame("message", ROOM, ",\"data\":\"{\\\"action\\\":\\\"vova\\\"}\""));
        assertEquals("joinPresence: infoJson must be JSON text (an object, array, string, number, true, false or"
                + " null), or null for none; got 'Vova' (quote a string: \"\\\"Vova\\\"\")", last(chat.calls));
        assertEquals(alices, alice.frames.size());
        assertEquals(bobs, bob.frames.size());
        assertEquals(0, harness.broker().presenceInfo("chat/1").total());
    }

    private static String last(List<String> list) {
        return list.get(list.size() - 1);
    }

    @Test
    void unsubscribedRunsOnUnsubscribeAndOnClose() {
        OutboxTest.FakeSocket alice = harness.open(EXT);
        String other = "{\"channel\":\"ChatChannel\",\"room\":\"2\"}";
        send(alice, frame("subscribe", ROOM, ""));
        send(alice, frame("subscribe", other, ""));
        send(alice, frame("unsubscribe", ROOM, ""));
        assertEquals("unsubscribed 1", chat.calls.get(chat.calls.size() - 1));
        harness.node.close(alice.session);
        assertEquals("unsubscribed 2", chat.calls.get(chat.calls.size() - 1));
        assertEquals(0, harness.hub().streamCount());
    }

    @Test
    void aRestoredSubscriptionRunsSubscribedAgainSilentlyAndHoldsItsPresence() {
        OutboxTest.FakeSocket alice = harness.open(EXT, Map.of("uid", "42", "name", "Alice"));
        send(alice, frame("subscribe", ROOM, ""));
        String oldSid = harness.session(alice).sid();
        // heard from after its own join by more than the margin (it answered a ping since): nothing to have missed
        harness.session(alice).received(System.currentTimeMillis() + BrokerOutput.PRESENCE_MARGIN_MILLIS + 1000);
        harness.node.close(alice.session);
        OutboxTest.FakeSocket back = harness.open(EXT, Map.of("uid", "42", "name", "Alice", "sid", oldSid));
        String sid = harness.session(back).sid();
        assertEquals(List.of("{\"type\":\"welcome\",\"sid\":\"" + sid + "\",\"restored\":true,\"restored_ids\":["
                + Q_ROOM + "]}", "{\"type\":\"presence\",\"identifier\":" + Q_ROOM
                + ",\"message\":{\"type\":\"join\",\"id\":\"42\",\"info\":{\"name\":\"Alice\"},\"seq\":3}}"), back.frames,
                "no confirmation and no transmission again; the presence is the new connection's (transition 3: its"
                        + " join after the old connection's join and, presence_ttl being 0, its leave)");
        assertTrue(harness.broker().presenceRemove("chat/1", sid), "the restored connection holds the member");
        assertEquals(2, chat.calls.stream().filter(c -> c.startsWith("subscribed 1")).count());
    }

    @Test
    void streamChannelsAreUnchangedBesideApplicationChannels() {
        OutboxTest.FakeSocket alice = harness.open(EXT);
        String pubsub = "{\"channel\":\"$pubsub\",\"stream_name\":\"x\"}";
        String unknown = "{\"channel\":\"NoSuchChannel\"}";
        send(alice, frame("subscribe", pubsub, ""));
        send(alice, frame("subscribe", unknown, ""));
        assertEquals(List.of("{\"type\":\"reject_subscription\",\"identifier\":" + JsonText.quote(pubsub) + "}",
                "{\"type\":\"reject_subscription\",\"identifier\":" + JsonText.quote(unknown) + "}"),
                alice.frames.subList(1, 3), "public streams are off here, and unknown channels are rejected");
    }

    private static String last(OutboxTest.FakeSocket socket) {
        return socket.frames.get(socket.frames.size() - 1);
    }
}
