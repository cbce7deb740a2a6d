package dev.jcable.hub;

import dev.jcable.session.CableSession;
import dev.jcable.session.TransportProbe;
import java.util.List;

/** A session whose writes are recorded (frames per write) and completed by the test. */
final class TransportRecorder {
    private final TransportProbe probe = new TransportProbe();
    final CableSession session = probe.session("sid-1");

    List<List<String>> writes() {
        return probe.writes();
    }

    void completeAll() {
        probe.completeAll();
    }
}
