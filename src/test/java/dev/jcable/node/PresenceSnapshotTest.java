package dev.jcable.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.broker.Broker;
import dev.jcable.config.CableConfig;
import dev.jcable.config.ConfigLoader;
import dev.jcable.config.ConfigSource;
import dev.jcable.config.Option;
import dev.jcable.protocol.Codec;
import dev.jcable.protocol.PresenceInfo;
import dev.jcable.session.CableSession;
import dev.jcable.session.OutboxTest;
import dev.jcable.session.Subscription;
import dev.jcable.session.Transports;
import dev.jcable.streams.StreamSpec;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** {@code presence} on a large set is served from a snapshot at most a second old, never one read per frame. */
class PresenceSnapshotTest {

    private final AtomicInteger reads = new AtomicInteger();
    private volatile int members;
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final Broker broker = (Broker) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {Broker.class}, (proxy, method, args) -> {
                if (method.getName().equals("presenceInfo")) {
                    reads.incrementAndGet();
                    List<PresenceInfo.Record> records = new ArrayList<>();
                    for (int i = 0; i < members; i++) {
                        records.add(new PresenceInfo.Record("m" + i, null));
                    }
                    return new PresenceInfo(members, List.copyOf(records), 0);
                }
                throw new UnsupportedOperationException(method.getName());
            });
    private final CableConfig config = new ConfigLoader(List.of(ConfigSource.of("test",
            Map.of(Option.SECRET, "s3Krit")))).load();
    private final PresenceCommands commands = new PresenceCommands(broker, config, now::get);
    private final OutboxTest.FakeSocket socket = new OutboxTest.FakeSocket(true, "actioncable-v1-ext-json");
    private final CableSession session = new CableSession("s1", socket.session, 100_000_000, Long.MAX_VALUE,
            Runnable::run, Transports.portable());
    private final Subscription room = new Subscription("{\"channel\":\"room\"}", new StreamSpec("room", true, false));

    private void ask(boolean records) throws Exception {
        commands.info(session, Codec.decode("{\"command\":\"presence\",\"identifier\":\"{\\\"channel\\\":\\\"room\\\"}\""
                + (records ? "" : ",\"data\":{\"return_records\":false}") + "}"), room);
    }

    private String lastReply() {
        return socket.frames.get(socket.frames.size() - 1);
    }

    @Test
    void aClientPipeliningPresenceIntoALargeRoomCostsOneReadPerSecond() throws Exception {
        members = PresenceCommands.SNAPSHOT_MEMBERS;
        for (int i = 0; i < 500; i++) {
            ask(i % 2 == 0);
        }
        assertEquals(1, reads.get(), "one read of the set for 500 requests within the second");
        assertTrue(lastReply().contains("\"total\":1000") && !lastReply().contains("records"),
                "return_records:false answered from the same snapshot");
        ask(true);
        assertTrue(lastReply().contains("{\"id\":\"m999\"}"), lastReply().substring(0, 80));
        members = PresenceCommands.SNAPSHOT_MEMBERS + 1; // a join the snapshot does not show yet
        ask(true);
        assertTrue(lastReply().contains("\"total\":1000,"), "at most SNAPSHOT_MILLIS old");
        now.addAndGet(PresenceCommands.SNAPSHOT_MILLIS);
        ask(true);
        assertEquals(2, reads.get());
        assertTrue(lastReply().contains("\"total\":1001,"), "a second later it is read again");
    }

    @Test
    void aSmallSetIsReadEveryTime() throws Exception {
        members = PresenceCommands.SNAPSHOT_MEMBERS - 1;
        ask(true);
        ask(true);
        assertEquals(2, reads.get());
        members = 1;
        ask(true);
        assertTrue(lastReply().contains("\"total\":1,"));
    }
}
