package dev.jcable.node;

import dev.jcable.broker.BrokerListener;
import dev.jcable.broker.RemoteCommand;
import dev.jcable.broker.StreamMessage;
import dev.jcable.events.Notifier;
import dev.jcable.hub.DeliveryPool;
import dev.jcable.hub.Hub;
import dev.jcable.metrics.Counter;
import dev.jcable.protocol.Codec;
import dev.jcable.protocol.JsonText;
import dev.jcable.protocol.PresenceEvent;
import dev.jcable.session.CableSession;
import jakarta.websocket.CloseReason;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * What the broker hands the node, turned into frames: publications, presence events, epoch changes and resyncs go
 * to the stream's delivery lane ({@link DeliveryPool}) in the order the broker produced them, and from there through
 * the {@link Hub} to each subscriber's session; remote commands find their connections here. Every path is bounded by
 * the stream's queue ({@link DeliveryPool#MAX_QUEUED}), and says what it does with work over the bound.
 */
final class BrokerOutput implements BrokerListener {

    private static final Logger LOG = Logger.getLogger(BrokerOutput.class.getName());
    /**
     * How far before the client was last heard from a presence transition still counts as possibly missed by it: a
     * frame in flight when its network dropped, and the clocks of the nodes and Redis within a second of each other.
     */
    static final long PRESENCE_MARGIN_MILLIS = 2000;

    private final Hub hub;
    private final DeliveryPool fanout;
    private final Notifier notifier;
    /** The connections with these identifiers on this node (set once the connections exist). */
    private volatile Function<String, List<CableSession>> withIdentifiers = identifiers -> List.of();
    /** Streams whose out_of_sync resync is queued: one at a time, however many events were dropped meanwhile. */
    private final Set<String> outOfSync = ConcurrentHashMap.newKeySet();
    private final Overflow droppedPresence = new Overflow(Counter.DROPPED_PRESENCE_EVENT);
    private final Overflow droppedWhispers = new Overflow(Counter.DROPPED_WHISPER);

    BrokerOutput(Hub hub, DeliveryPool fanout, Notifier notifier) {
        this.hub = hub;
        this.fanout = fanout;
        this.notifier = notifier;
    }

    void connections(Connections connections) {
        this.withIdentifiers = connections::withIdentifiers;
    }

    /** Called in offset order per stream (under the broker's stream lock): queued, fanned out on the pool. */
    @Override
    public void deliver(StreamMessage message) {
        if (!message.durable() && !fanout.accepts(message.stream())) {
            // a whisper that passed its sender's check (StreamCommands.whisper) while others filled the stream's queue
            droppedWhispers.dropped(() -> "a whisper to stream " + message.stream() + " was dropped: its fan-outs are "
                    + DeliveryPool.MAX_QUEUED + " behind");
            return;
        }
        Counter.BROADCAST_MSG.increment();
        fanout.submit(message.stream(), () -> hub.deliver(message.stream(), JsonText.messageValue(message.data()),
                message.durable() ? Codec.streamMeta(message.stream(), message.epoch(), message.offset()) : null,
                message.offset(), message.excludeSocket()));
    }

    /** Read now, under the broker's stream lock: the subscribers attached so far meant the old epoch. */
    @Override
    public void epochChanged(String stream) {
        long before = hub.subscribes();
        fanout.submit(stream, () -> hub.newEpoch(stream, before));
    }

    /** Called under the broker's stream lock, so one stream's events are queued in the order they happened. */
    @Override
    public void presence(String stream, PresenceEvent event) {
        if (!fanout.accepts(stream)) {
            // the subscribers' view of the set is now wrong: they are told to reconnect and fetch it afresh
            droppedPresence.dropped(() -> "presence events of stream " + stream + " were dropped: its fan-outs are "
                    + DeliveryPool.MAX_QUEUED + " behind; its subscribers are disconnected with out_of_sync");
            presenceLost(stream, System.currentTimeMillis() - PRESENCE_MARGIN_MILLIS);
            return;
        }
        (event.join() ? Counter.PRESENCE_JOIN : Counter.PRESENCE_LEAVE).increment();
        fanout.submit(stream, () -> hub.presence(stream, event, Codec.presenceEvent(event)));
    }

    @Override
    public void presenceChanged(String stream, PresenceEvent event, int members) {
        notifier.presenceChanged(stream, event, members);
    }

    @Override
    public void occupancyChanged(String stream, boolean occupied) {
        notifier.occupancyChanged(stream, occupied);
    }

    @Override
    public boolean accepts(String stream) {
        return fanout.accepts(stream);
    }

    /**
     * The broker dropped presence events of {@code stream} (this node fell behind, or its pub/sub connection dropped
     * or hung) from {@code sinceMillis} on: its subscribers here are disconnected with {@code out_of_sync}, after
     * what was queued for them, and their cached sessions remember since when presence was lost, so that their
     * restore starts the stream's presence subscription again and their clients fetch the member set afresh. One
     * resync is queued per stream at a time (past the stream's bound: it is what makes up for the dropped events); it
     * covers every event dropped before it runs.
     */
    @Override
    public void presenceLost(String stream, long sinceMillis) {
        if (outOfSync.add(stream)) {
            fanout.submit(stream, () -> {
                outOfSync.remove(stream);
                hub.sessions(stream).forEach(session -> {
                    session.presenceLostSince(sinceMillis);
                    session.disconnect("out_of_sync", true, CloseReason.CloseCodes.NORMAL_CLOSURE, "Out of sync");
                });
            });
        }
    }

    /**
     * A remote {@code disconnect} (from any node): this node's connections with those identifiers are told
     * {@code {"type":"disconnect","reason":"remote",...}} after what is queued for them, and closed.
     */
    @Override
    public void command(RemoteCommand command) {
        List<CableSession> found = withIdentifiers.apply(command.identifiers());
        LOG.fine(() -> "jcable: remote disconnect of " + command.identifiers() + ": " + found.size()
                + " connection(s) here");
        for (CableSession session : found) {
            session.disconnect("remote", command.reconnect(), CloseReason.CloseCodes.NORMAL_CLOSURE,
                    "Remote disconnect");
        }
    }

    /**
     * Runs {@code task} on the stream's delivery lane, after every fan-out and presence event of the stream queued
     * so far: a reply built there is ordered with the stream's events. While the stream's fan-outs are
     * {@link DeliveryPool#MAX_QUEUED} behind it is dropped, and the stream's subscribers here are resynced as for a
     * dropped presence event ({@code out_of_sync}): the reply (a member list) would have been stale anyway.
     */
    void inStreamOrder(String stream, Runnable task) {
        if (!fanout.accepts(stream)) {
            droppedPresence.dropped(() -> "a reply in order with stream " + stream + " was dropped: its fan-outs are "
                    + DeliveryPool.MAX_QUEUED + " behind; its subscribers are disconnected with out_of_sync");
            presenceLost(stream, System.currentTimeMillis() - PRESENCE_MARGIN_MILLIS);
            return;
        }
        fanout.submit(stream, task);
    }
}
