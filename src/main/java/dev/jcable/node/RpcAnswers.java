package dev.jcable.node;

import dev.jcable.protocol.JsonText;
import dev.jcable.rpc.RpcMessages.CommandReply;
import dev.jcable.session.CableSession;
import dev.jcable.session.Subscription;
import dev.jcable.streams.StreamSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * An RPC channel's answer applied with jcable's own stream and presence commands: the streams it starts and stops
 * (one subscription may follow several: the first is its stream in the session, where history, presence and whisper
 * work; the others are followed in the hub under the same identifier) and its {@code join_presence} /
 * {@code leave_presence}. Runs on the connection's lane, as every RPC answer does.
 */
final class RpcAnswers {

    private static final Logger LOG = Logger.getLogger(RpcAnswers.class.getName());

    private final StreamCommands streams;
    private final PresenceCommands presence;

    RpcAnswers(StreamCommands streams, PresenceCommands presence) {
        this.streams = streams;
        this.presence = presence;
    }

    /**
     * stop_streams, stopped_streams, then streams; {@code current} (the subscription's streams, first the
     * session's) becomes what is left, and the session's subscription reads its first stream.
     */
    void streams(CableSession session, List<String> current, String identifier, CommandReply reply) {
        Subscription before = session.subscriptions().get(identifier);
        if (before == null) {
            return;
        }
        List<String> wanted = new ArrayList<>(reply.stopStreams() ? List.of() : current);
        wanted.removeAll(reply.stoppedStreams());
        for (String stream : reply.streams()) {
            if (!stream.isEmpty() && !wanted.contains(stream)) {
                wanted.add(stream);
            }
        }
        if (wanted.equals(current)) {
            return;
        }
        for (String stream : current) {
            if (!wanted.contains(stream)) {
                if (stream.equals(before.spec().stream()) && before.spec().presence()) {
                    presence.leave(session, before);
                }
                streams.detach(session, follower(identifier, stream));
            }
        }
        long position = before.position();
        for (String stream : wanted) {
            if (!current.contains(stream)) {
                long at = streams.follow(session, follower(identifier, stream));
                if (wanted.get(0).equals(stream)) {
                    position = at;
                }
            }
        }
        current.clear();
        current.addAll(wanted);
        String first = wanted.isEmpty() ? null : wanted.get(0);
        Subscription after = first != null && first.equals(before.spec().stream()) ? before
                : before.with(spec(first)).at(position);
        session.subscriptions().put(identifier, after);
    }

    /** The channel's join or leave, on the presence of the subscription's stream (the first one). */
    void presence(CableSession session, String identifier, CommandReply reply) {
        if (reply.presence() == null) {
            return;
        }
        Subscription subscription = session.subscriptions().get(identifier);
        if (subscription == null || subscription.spec().stream() == null) {
            LOG.fine(() -> "jcable: presence of " + identifier + " ignored: it streams from nothing");
            return;
        }
        if ("leave".equals(reply.presence().type())) {
            presence.leave(session, subscription);
        } else if ("join".equals(reply.presence().type())) {
            presence.join(session, subscription, reply.presence().id(),
                    reply.presence().info() == null ? null : JsonText.safe(reply.presence().info()));
        }
    }

    /** The subscription's streams after its first stop (its first is the session's, stopped with it). */
    void stopFollowers(CableSession session, String identifier, List<String> current) {
        if (current.size() > 1) {
            current.subList(1, current.size()).forEach(stream -> streams.detach(session, follower(identifier, stream)));
        }
    }

    private static Subscription follower(String identifier, String stream) {
        return new Subscription(identifier, spec(stream), null);
    }

    static StreamSpec spec(String stream) {
        return new StreamSpec(stream, true, false);
    }
}
