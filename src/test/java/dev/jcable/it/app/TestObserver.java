package dev.jcable.it.app;

import dev.jcable.api.Broadcaster;
import dev.jcable.api.ConnectionClosed;
import dev.jcable.api.ConnectionOpened;
import dev.jcable.api.PresenceJoined;
import dev.jcable.api.PresenceLeft;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.inject.Inject;

/**
 * Observes jcable's events in the test WAR and reports each one on the stream {@code events}, so a test client sees
 * exactly what was observed and how often: {@code sync …} and {@code async …}. The synchronous presence observer
 * throws afterwards, to show that this harms nothing.
 */
@ApplicationScoped
public class TestObserver {

    public static final String STREAM = "observed-events";

    @Inject
    Broadcaster cable;

    void joined(@Observes PresenceJoined event) {
        report("sync joined " + event.stream() + " " + event.id() + " " + event.info() + " #" + event.seq());
        throw new IllegalStateException("a synchronous observer that throws (on purpose, for the test)");
    }

    void joinedAsync(@ObservesAsync PresenceJoined event) {
        report("async joined " + event.stream() + " " + event.id() + " #" + event.seq());
    }

    void left(@Observes PresenceLeft event) {
        report("sync left " + event.stream() + " " + event.id() + " #" + event.seq());
    }

    void opened(@Observes ConnectionOpened event) {
        report("sync opened " + event.identifiers());
    }

    void closed(@ObservesAsync ConnectionClosed event) {
        report("async closed " + event.identifiers());
    }

    private void report(String line) {
        cable.broadcast(STREAM, jakarta.json.Json.createValue(line).toString());
    }
}
