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

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** History, session restore, whisper and Turbo Streams on the wire (memory broker, history_limit 100). */
class ReliableStreamsIT extends AsClient {

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Cable.war();
    }

    String stream;
    String identifier;

    @BeforeEach
    void setUp() {
        stream = stream("reliable");
        identifier = signedIdentifier(stream);
    }

    private void publish(int from, int to) {
        StringBuilder batch = new StringBuilder("[");
        for (int n = from; n <= to; n++) {
            batch.append(n == from ? "" : ",").append("{\"stream\":\"").append(stream).append("\",\"data\":\"").append(n).append("\"}");
        }
        assertEquals(201, cable.broadcast(batch.append(']').toString()).statusCode());
    }

    private String historyFrom(String epoch, long offset) {
        return "\"history\":{\"streams\":{" + quoted(stream) + ":{\"epoch\":\"" + epoch + "\",\"offset\":" + offset + "}}}";
    }

    private String confirmHistory() {
        return "{\"type\":\"confirm_history\",\"identifier\":" + quoted(identifier) + "}";
    }

    private String rejectHistory() {
        return "{\"type\":\"reject_history\",\"identifier\":" + quoted(identifier) + "}";
    }

    /** Publishes 1..n to the stream and returns the epoch, read off a subscriber's frames. */
    private String published(int n) {
        try (WsClient witness = cable.connect()) {
            subscribed(witness, identifier);
            publish(1, n);
            String epoch = witness.expectDurable(identifier, "1", stream, 1);
            for (int i = 2; i <= n; i++) {
                witness.expectDurable(identifier, String.valueOf(i), stream, i);
            }
            return epoch;
        }
    }

    @Test
    void subscribeWithSinceSendsWhatWasPublishedThenConfirms() {
        String epoch = published(3);
        try (WsClient late = cable.connect()) {
            long since = System.currentTimeMillis() / 1000 - 30;
            late.send(command("subscribe", identifier, "\"history\":{\"since\":" + since + "}"));
            late.expect(confirm(identifier));
            for (int n = 1; n <= 3; n++) {
                late.expect(Cable.durableFrame(identifier, String.valueOf(n), stream, epoch, n));
            }
            late.expect(confirmHistory());
            publish(4, 4);
            late.expectDurable(identifier, "4", stream, 4); // live again, no gap and no repeat
        }
    }

    @Test
    void historyFromAnOffsetSendsOnlyWhatCameAfterIt() {
        String epoch = published(3);
        try (WsClient client = cable.connect()) {
            subscribed(client, identifier);
            client.send(command("history", identifier, historyFrom(epoch, 1)));
            client.expect(Cable.durableFrame(identifier, "2", stream, epoch, 2));
            client.expect(Cable.durableFrame(identifier, "3", stream, epoch, 3));
            client.expect(confirmHistory());
            client.send(command("history", identifier, historyFrom(epoch, 3)));
            client.expect(confirmHistory()); // up to date: nothing missed
        }
    }

    @Test
    void historyIsRejectedForAnotherEpochAnOffsetAheadOrAnUnknownStream() {
        String epoch = published(2);
        try (WsClient client = cable.connect()) {
            subscribed(client, identifier);
            client.send(command("history", identifier, historyFrom("zzzzzz", 1)));
            client.expect(rejectHistory());
            client.send(command("history", identifier, historyFrom(epoch, 7)));
            client.expect(rejectHistory());
        }
        String unknown = signedIdentifier(stream("never-published"));
        try (WsClient client = cable.connect()) {
            subscribed(client, unknown);
            client.send(command("history", unknown, "\"history\":{\"streams\":{\"x\":{\"epoch\":\"a\",\"offset\":1}},\"since\":0}"));
            client.expect("{\"type\":\"confirm_history\",\"identifier\":" + quoted(unknown) + "}"); // nothing of ours asked
        }
    }

    @Test
    void aClientAtTheLastDroppedOffsetGetsEveryRetainedMessageButOneFurtherBackIsRefused() {
        String epoch = published(101); // history_limit 100: offsets 2..101 are kept
        try (WsClient client = cable.connect()) {
            subscribed(client, identifier);
            client.send(command("history", identifier, historyFrom(epoch, 1)));
            for (int n = 2; n <= 101; n++) {
                client.expect(Cable.durableFrame(identifier, String.valueOf(n), stream, epoch, n));
            }
            client.expect(confirmHistory());
            client.send(command("history", identifier, historyFrom(epoch, 0)));
            client.expect(rejectHistory()); // offset 1 is gone: the client would miss it
        }
    }

    @Test
    void aDroppedClientRestoresItsSessionCatchesUpAndRejoinsWithoutAnyPresenceEvent() {
        try (WsClient observer = cable.connect()) {
            subscribed(observer, identifier);
            WsClient first = cable.connect();
            subscribed(first, identifier);
            first.send(command("join", identifier, "\"presence\":{\"id\":\"42\",\"info\":{\"name\":\"Vova\"}}"));
            observer.expect(presenceFrame(identifier, "{\"type\":\"join\",\"id\":\"42\",\"info\":{\"name\":\"Vova\"},\"seq\":1}"));
            first.expect(presenceFrame(identifier, "{\"type\":\"join\",\"id\":\"42\",\"info\":{\"name\":\"Vova\"},\"seq\":1}"));
            publish(1, 1);
            String epoch = first.expectDurable(identifier, "1", stream, 1);
            observer.expectDurable(identifier, "1", stream, 1);
            WsClient control = cable.connect();
            subscribed(control, identifier);
            control.send(command("join", identifier, "\"presence\":{\"id\":\"control\"}"));
            observer.expect(presenceFrame(identifier, "{\"type\":\"join\",\"id\":\"control\",\"seq\":2}"));
            first.expect(presenceFrame(identifier, "{\"type\":\"join\",\"id\":\"control\",\"seq\":2}"));
            // A subscription is restored only when its stream's presence did not change since 2 s (the server's
            // margin) before the client was last heard from: it must have seen every transition. So the client is
            // still heard from (pings answered) past that margin after the last transition, then its network drops.
            // Paced by the server's own pings (every ping_interval), not a ping command per round trip: those would
            // exceed command_rate_limit and be disconnected as too_many_requests.
            long lastChange = System.nanoTime();
            while (System.nanoTime() - lastChange < TimeUnit.MILLISECONDS.toNanos(2500)) {
                first.nextPing();
            }
            // heard from; and nothing is pending for it: every event of the stream so far was awaited above (no
            // barrier here: its marker would be a presence-free message, but it would shift the offsets below)
            first.expectNoReply();

            first.abort(); // the network drops
            publish(2, 3); // missed while away
            observer.expectDurable(identifier, "2", stream, 2);
            observer.expectDurable(identifier, "3", stream, 3);

            try (WsClient back = WsClient.connect(cable.ws("sid=" + first.sid()))) {
                assertEquals("{\"type\":\"welcome\",\"sid\":\"" + back.sid() + "\",\"restored\":true,\"restored_ids\":["
                        + quoted(identifier) + "]}", back.welcome());
                back.send(command("history", identifier, historyFrom(epoch, 1)));
                back.expect(Cable.durableFrame(identifier, "2", stream, epoch, 2));
                back.expect(Cable.durableFrame(identifier, "3", stream, epoch, 3));
                back.expect(confirmHistory());
                back.send(command("join", identifier, "\"presence\":{\"id\":\"42\",\"info\":{\"name\":\"Vova\"}}"));
                back.expectNoReply(); // the re-join is done
                publish(4, 4); // live without re-subscribing
                // and silent: 4 is the barrier (its fan-out runs after any event the re-join queued before it)
                back.expectDurable(identifier, "4", stream, 4);
                observer.expectDurable(identifier, "4", stream, 4);

                control.abort(); // its TTL ends after the first connection's: any leave for 42 would come first
                observer.expect(presenceFrame(identifier, "{\"type\":\"leave\",\"id\":\"control\",\"seq\":3}")); // no other since 2
                WsClient.expectQuiet(cable, stream, observer);
            }
        }
    }

    @Test
    void theRestoreHeaderWorksToAndUnknownOrPlainSessionsGetAFreshWelcome() {
        WsClient first = cable.connect();
        subscribed(first, identifier);
        first.close();
        try (WsClient byHeader = WsClient.connect(cable.ws(null), Map.of("X-ANYCABLE-RESTORE-SID", first.sid()))) {
            assertEquals("{\"type\":\"welcome\",\"sid\":\"" + byHeader.sid() + "\",\"restored\":true,\"restored_ids\":["
                    + quoted(identifier) + "]}", byHeader.welcome());
        }
        try (WsClient unknown = WsClient.connect(cable.ws("sid=nobody"))) {
            assertEquals("{\"type\":\"welcome\",\"sid\":\"" + unknown.sid() + "\"}", unknown.welcome());
        }
        try (WsClient plain = WsClient.connect(cable.ws("sid=" + first.sid()), WsClient.PLAIN)) {
            assertEquals("{\"type\":\"welcome\",\"sid\":\"" + plain.sid() + "\"}", plain.welcome());
        }
    }

    @Test
    void whispersReachEveryOtherSubscriberOfAPublicStreamAndAreNeverStored() {
        identifier = publicIdentifier(stream);
        try (WsClient sender = cable.connect(); WsClient a = cable.connect(); WsClient b = cable.connect(WsClient.PLAIN)) {
            subscribed(sender, identifier);
            subscribed(a, identifier);
            subscribed(b, identifier);
            sender.send(command("whisper", identifier, "\"data\":{\"event\":\"typing\",\"user\":\"Jack\"}"));
            a.expect("{\"identifier\":" + quoted(identifier) + ",\"message\":{\"event\":\"typing\",\"user\":\"Jack\"}}");
            b.expect("{\"identifier\":" + quoted(identifier) + ",\"message\":{\"event\":\"typing\",\"user\":\"Jack\"}}");
            sender.send(command("whisper", identifier, "\"data\":\"tshh... it's a secret\""));
            a.expect("{\"identifier\":" + quoted(identifier) + ",\"message\":\"tshh... it's a secret\"}");
            b.expect("{\"identifier\":" + quoted(identifier) + ",\"message\":\"tshh... it's a secret\"}");
            WsClient.expectQuiet(cable, stream, sender, a, b); // not to its sender (the barrier is stored: see below)
            long since = System.currentTimeMillis() / 1000 - 30;
            a.send(command("history", identifier, "\"history\":{\"since\":" + since + "}"));
            a.expect(confirmHistory()); // whispers are transient (the barrier's marker is replayed, and skipped)
        }
    }

    @Test
    void signedStreamsDoNotWhisperUnlessStreamsWhisperIsOn() {
        try (WsClient sender = cable.connect(); WsClient other = cable.connect()) {
            subscribed(sender, identifier);
            subscribed(other, identifier);
            sender.send(command("whisper", identifier, "\"data\":{\"event\":\"typing\"}"));
            sender.expectNoReply(); // refused silently
            WsClient.expectQuiet(cable, stream, sender, other); // and not fanned out
        }
    }

    @Test
    void turboStreamsSubscribeWithTheirSignedNameAndHaveNoPresence() {
        String turbo = "{\"channel\":\"Turbo::StreamsChannel\",\"signed_stream_name\":\"" + Cable.sign(stream) + "\"}";
        try (WsClient page = cable.connect(WsClient.PLAIN)) {
            subscribed(page, turbo);
            assertEquals(201, cable.broadcast("{\"stream\":\"" + stream + "\",\"data\":\"<turbo-stream action=\\\"append\\\"></turbo-stream>\"}").statusCode());
            page.expectDurable(turbo, "\"<turbo-stream action=\\\"append\\\"></turbo-stream>\"", stream, 1);
            page.send(command("join", turbo, "\"presence\":{\"id\":\"1\"}"));
            page.expect(presenceFrame(turbo, "{\"type\":\"error\",\"reason\":\"presence_disabled\"}"));
            String forged = "{\"channel\":\"Turbo::StreamsChannel\",\"signed_stream_name\":\"" + Cable.sign(stream).replace("--", "--0") + "\"}";
            page.send(Cable.subscribe(forged));
            page.expect(Cable.reject(forged));
        }
    }
}
