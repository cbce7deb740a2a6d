package dev.jcable.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.broker.Broker;
import dev.jcable.config.CableConfig;
import dev.jcable.config.ConfigLoader;
import dev.jcable.config.ConfigSource;
import dev.jcable.config.Option;
import dev.jcable.hub.Hub;
import dev.jcable.protocol.Codec;
import dev.jcable.protocol.PresenceEvent;
import dev.jcable.protocol.PresenceInfo;
import dev.jcable.session.CableSession;
import dev.jcable.session.OutboxTest;
import dev.jcable.session.Subscription;
import dev.jcable.session.Transports;
import dev.jcable.streams.StreamSpec;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 20, found by the chaos suite: a {@code presence} request is answered with the member set read by a script,
 * while the stream's events come through pub/sub, another connection. A join published right after the read could
 * reach the client before the reply; the official client ignores events until it has a set, then keeps the set and
 * the events after it, so that member was missing from its list for good. Events wait behind the reply now.
 */
class PresenceReplyOrderTest {

    private final Hub hub = new Hub();
    private final OutboxTest.FakeSocket socket = new OutboxTest.FakeSocket(true, "actioncable-v1-ext-json");
    private final CableSession session = new CableSession("s1", socket.session, 100_000_000, Long.MAX_VALUE,
            Runnable::run, Transports.portable());
    private final Subscription room = new Subscription("{\"channel\":\"room\"}", new StreamSpec("room", true, false));

    /** The join of m2 runs in Redis right after the read; its event overtakes the reply (delivered during the read). */
    private final Broker broker = (Broker) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {Broker.class}, (proxy, method, args) -> {
                if (method.getName().equals("presenceInfo")) {
                    PresenceEvent join = PresenceEvent.join("m2", null, 2);
                    hub.presence("room", join, Codec.presenceEvent(join));
                    return new PresenceInfo(1, List.of(new PresenceInfo.Record("m1", null)), 1);
                }
                throw new UnsupportedOperationException(method.getName());
            });
    private final CableConfig config = new ConfigLoader(List.of(ConfigSource.of("test",
            Map.of(Option.SECRET, "s3Krit")))).load();
    private final PresenceCommands commands = new PresenceCommands(broker, config, System::currentTimeMillis);

    @Test
    void anEventPublishedAfterTheReadReachesTheClientAfterTheReply() throws Exception {
        hub.subscribe(session, room, 0);
        commands.info(session, Codec.decode("{\"command\":\"presence\",\"identifier\":\"{\\\"channel\\\":\\\"room\\\"}\"}"),
                room);
        List<String> frames = socket.frames;
        assertEquals(2, frames.size(), frames.toString());
        assertTrue(frames.get(0).contains("\"type\":\"info\"") && frames.get(0).contains("\"m1\""),
                "the reply first: " + frames);
        assertTrue(frames.get(1).contains("\"type\":\"join\"") && frames.get(1).contains("\"m2\""),
                "then the join published after the read: " + frames);
        PresenceEvent leave = PresenceEvent.leave("m1", 3);
        hub.presence("room", leave, Codec.presenceEvent(leave));
        assertEquals(3, frames.size(), "no hold left behind: " + frames);
    }
}
