package dev.jcable.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.jcable.protocol.Codec;
import dev.jcable.session.CableSession;
import dev.jcable.session.Transports;
import dev.jcable.session.OutboxTest.FakeSocket;
import dev.jcable.session.Subscription;
import dev.jcable.streams.StreamSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Stream fan-out: one encoded frame per identifier, shared by every session of that identifier. */
class HubTest {

    static final String STREAM = "chat:2021";
    static final String ID_A = "{\"channel\":\"$pubsub\",\"stream_name\":\"chat:2021\"}";
    static final String ID_A_QUOTED = "\"{\\\"channel\\\":\\\"$pubsub\\\",\\\"stream_name\\\":\\\"chat:2021\\\"}\"";
    static final String ID_B = "{\"channel\":\"$pubsub\",\"signed_stream_name\":\"x\"}";

    final Hub hub = new Hub();

    /** A session whose writes complete at once, so every frame it is sent shows up in its socket. */
    static final class Client {
        final FakeSocket socket = new FakeSocket(true, "actioncable-v1-ext-json");
        final CableSession session;

        Client(String sid) {
            session = new CableSession(sid, socket.session, 1_000_000, Long.MAX_VALUE, Runnable::run,
                    Transports.portable());
        }

        List<String> frames() {
            return socket.frames;
        }
    }

    static Subscription sub(String identifier, String stream) {
        return new Subscription(identifier, new StreamSpec(stream, true, false));
    }

    @Test
    void broadcastSharesOneFramePerIdentifier() {
        Client a = new Client("a");
        Client b = new Client("b");
        Client c = new Client("c");
        hub.subscribe(a.session, sub(ID_A, STREAM), 0);
        hub.subscribe(b.session, sub(ID_A, STREAM), 0);
        hub.subscribe(c.session, sub(ID_B, STREAM), 0);

        hub.deliver(STREAM, "{\"text\":\"hi\"}", null, 0, null);

        assertEquals(List.of("{\"identifier\":" + ID_A_QUOTED + ",\"message\":{\"text\":\"hi\"}}"), a.frames());
        assertEquals(a.frames(), b.frames());
        assertSame(a.frames().get(0), b.frames().get(0));
        assertEquals(List.of("{\"identifier\":\"{\\\"channel\\\":\\\"$pubsub\\\",\\\"signed_stream_name\\\":\\\"x\\\"}\","
                + "\"message\":{\"text\":\"hi\"}}"), c.frames());
    }

    @Test
    void presenceBroadcastIsTypedPresence() {
        Client a = new Client("a");
        hub.subscribe(a.session, sub(ID_A, STREAM), 0);
        hub.presence(STREAM, dev.jcable.protocol.PresenceEvent.leave("42"), "{\"type\":\"leave\",\"id\":\"42\"}");
        assertEquals(List.of("{\"type\":\"presence\",\"identifier\":" + ID_A_QUOTED
                + ",\"message\":{\"type\":\"leave\",\"id\":\"42\"}}"), a.frames());
    }

    @Test
    void durableMessageCarriesItsStreamPositionInOneSharedFrame() {
        Client a = new Client("a");
        Client b = new Client("b");
        hub.subscribe(a.session, sub(ID_A, STREAM), 0);
        hub.subscribe(b.session, sub(ID_A, STREAM), 0);
        hub.deliver(STREAM, "\"hi\"", Codec.streamMeta(STREAM, "Ab12", 3), 3, null);
        assertEquals(List.of("{\"identifier\":" + ID_A_QUOTED
                + ",\"message\":\"hi\",\"stream_id\":\"chat:2021\",\"epoch\":\"Ab12\",\"offset\":3}"), a.frames());
        assertSame(a.frames().get(0), b.frames().get(0));
    }

    /**
     * Issue 20, 1: a stream's offsets were forgotten and it started a new epoch at 1. A subscriber that attached at
     * offset 5 of the old epoch gets the new epoch's offsets 1, 2, ... once the hub hears of it; one that attached
     * after the change (its position is in the new epoch) still gets nothing twice.
     */
    @Test
    void aNewEpochReleasesThePositionsTakenBeforeIt() {
        Client a = new Client("a");
        Client b = new Client("b");
        hub.subscribe(a.session, sub(ID_A, STREAM), 5);
        hub.deliver(STREAM, "\"lost\"", Codec.streamMeta(STREAM, "New1", 1), 1, null);
        assertEquals(List.of(), a.frames(), "without the epoch change offset 1 is held back by position 5");

        long before = hub.subscribes();
        hub.subscribe(b.session, sub(ID_A, STREAM), 2); // attached in the new epoch, up to offset 2
        hub.newEpoch(STREAM, before);
        hub.deliver(STREAM, "\"two\"", Codec.streamMeta(STREAM, "New1", 2), 2, null);
        hub.deliver(STREAM, "\"three\"", Codec.streamMeta(STREAM, "New1", 3), 3, null);

        assertEquals(List.of("{\"identifier\":" + ID_A_QUOTED
                        + ",\"message\":\"two\",\"stream_id\":\"chat:2021\",\"epoch\":\"New1\",\"offset\":2}",
                "{\"identifier\":" + ID_A_QUOTED
                        + ",\"message\":\"three\",\"stream_id\":\"chat:2021\",\"epoch\":\"New1\",\"offset\":3}"),
                a.frames());
        assertEquals(List.of(a.frames().get(1)), b.frames(), "b's position 2 is in the new epoch");
    }

    @Test
    void presenceEventsReachEverySubscriberInOneSharedFrame() {
        Client a = new Client("a");
        Client b = new Client("b");
        hub.subscribe(a.session, sub(ID_A, STREAM), 0);
        hub.subscribe(b.session, sub(ID_A, STREAM), 0);
        hub.presence(STREAM, dev.jcable.protocol.PresenceEvent.join("42", null), "{\"type\":\"join\",\"id\":\"42\"}");
        assertEquals(1, a.frames().size());
        assertSame(a.frames().get(0), b.frames().get(0));
    }

    @Test
    void excludedSessionIsSkipped() {
        Client a = new Client("a");
        Client b = new Client("b");
        hub.subscribe(a.session, sub(ID_A, STREAM), 0);
        hub.subscribe(b.session, sub(ID_A, STREAM), 0);
        hub.deliver(STREAM, "\"psst\"", null, 0, "b");
        assertEquals(List.of("{\"identifier\":" + ID_A_QUOTED + ",\"message\":\"psst\"}"), a.frames());
        assertEquals(List.of(), b.frames());
    }

    @Test
    void otherStreamsGetNothing() {
        Client a = new Client("a");
        hub.subscribe(a.session, sub(ID_A, STREAM), 0);
        hub.deliver("other", "1", null, 0, null);
        assertEquals(List.of(), a.frames());
    }

    @Test
    void oneSessionUnderTwoIdentifiersGetsTwoFrames() {
        Client a = new Client("a");
        hub.subscribe(a.session, sub(ID_A, STREAM), 0);
        hub.subscribe(a.session, sub(ID_B, STREAM), 0);
        hub.deliver(STREAM, "1", null, 0, null);
        assertEquals(2, a.frames().size());
        assertEquals(2, hub.subscribers(STREAM));
    }

    @Test
    void unsubscribeRemovesAndEmptyStreamsDisappear() {
        Client a = new Client("a");
        Client b = new Client("b");
        hub.subscribe(a.session, sub(ID_A, STREAM), 0);
        hub.subscribe(b.session, sub(ID_A, STREAM), 0);
        hub.subscribe(b.session, sub(ID_B, "second"), 0);
        assertEquals(2, hub.streamCount());

        hub.unsubscribe(a.session, sub(ID_A, STREAM));
        hub.deliver(STREAM, "1", null, 0, null);
        assertEquals(List.of(), a.frames());
        assertEquals(1, b.frames().size());
        assertEquals(1, hub.subscribers(STREAM));

        hub.unsubscribe(b.session, sub(ID_A, STREAM));
        hub.unsubscribe(b.session, sub(ID_B, "second"));
        assertEquals(0, hub.streamCount());
        assertEquals(0, hub.subscribers(STREAM));
    }

    @Test
    void unsubscribingWhatIsNotSubscribedChangesNothing() {
        Client a = new Client("a");
        Client b = new Client("b");
        hub.subscribe(a.session, sub(ID_A, STREAM), 0);
        hub.unsubscribe(b.session, sub(ID_A, STREAM));
        hub.unsubscribe(a.session, sub(ID_B, STREAM));
        hub.unsubscribe(a.session, sub(ID_A, "nowhere"));
        assertEquals(1, hub.streamCount());
        assertEquals(1, hub.subscribers(STREAM));
        assertEquals(0, hub.subscribers("nowhere"));
    }

    @Test
    void resubscribingAfterAnEmptyStreamWorks() {
        Client a = new Client("a");
        hub.subscribe(a.session, sub(ID_A, STREAM), 0);
        hub.unsubscribe(a.session, sub(ID_A, STREAM));
        hub.subscribe(a.session, sub(ID_A, STREAM), 0);
        hub.deliver(STREAM, "1", null, 0, null);
        assertEquals(List.of("{\"identifier\":" + ID_A_QUOTED + ",\"message\":1}"), a.frames());
    }

    @Test
    void aSubscriberGetsOnlyOffsetsAfterItsAttachPositionLive() {
        Client early = new Client("early");
        Client late = new Client("late");
        hub.subscribe(early.session, sub(ID_A, STREAM), 2);
        hub.subscribe(late.session, sub(ID_A, STREAM), 3); // offset 3 was queued for fan-out when it attached
        hub.deliver(STREAM, "3", Codec.streamMeta(STREAM, "Ab12", 3), 3, null);
        hub.deliver(STREAM, "4", Codec.streamMeta(STREAM, "Ab12", 4), 4, null);
        hub.deliver(STREAM, "\"whisper\"", null, 0, null); // transient: no offset, everyone
        assertEquals(3, early.frames().size());
        assertEquals(List.of("{\"identifier\":" + ID_A_QUOTED
                + ",\"message\":4,\"stream_id\":\"chat:2021\",\"epoch\":\"Ab12\",\"offset\":4}",
                "{\"identifier\":" + ID_A_QUOTED + ",\"message\":\"whisper\"}"), late.frames());
    }

    @Test
    void theSessionsOfAStreamAreEachListedOnceWhateverTheirIdentifiers() {
        Client a = new Client("a");
        Client b = new Client("b");
        Client other = new Client("o");
        hub.subscribe(a.session, sub(ID_A, STREAM), 0);
        hub.subscribe(a.session, sub(ID_B, STREAM), 0); // a second identifier of the same stream
        hub.subscribe(b.session, sub(ID_B, STREAM), 0);
        hub.subscribe(other.session, sub(ID_A, "elsewhere"), 0);
        assertEquals(java.util.Set.of(a.session, b.session), hub.sessions(STREAM));
        assertEquals(java.util.Set.of(), hub.sessions("nobody"));
    }
}
