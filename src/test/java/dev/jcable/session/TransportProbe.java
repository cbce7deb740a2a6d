package dev.jcable.session;

import java.util.List;

/** For tests outside this package: a session on a recording transport whose writes the test completes. */
public final class TransportProbe {
    private final TransportTest.Recording transport = new TransportTest.Recording();

    public CableSession session(String sid) {
        return new CableSession(sid, new OutboxTest.FakeSocket().session, 1_000_000, Long.MAX_VALUE,
                OutboxTest.DIRECT, transport);
    }

    public List<List<String>> writes() {
        return transport.writes;
    }

    public void completeAll() {
        while (!transport.pending.isEmpty()) {
            transport.completeNext();
        }
    }
}
