package dev.jcable.node;

import dev.jcable.protocol.Codec;
import dev.jcable.protocol.Command;
import dev.jcable.session.CableSession;
import dev.jcable.session.Subscription;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.ToIntFunction;

/**
 * One client command to the stream, presence or channel commands that carry it out; and the connection's end for
 * them. Runs on the connection's lane only ({@link Connections}).
 */
final class Commands {

    private final StreamCommands streams;
    private final PresenceCommands presence;
    private final ChannelCommands channels;
    /** The application's channels over AnyCable RPC; null without {@code rpc_host}. */
    private final RpcChannels rpcChannels;
    private final CommandRate rate;
    /** Subscribers of a stream on this node: what a whisper or presence change into it costs (CommandRate). */
    private final ToIntFunction<String> reach;

    private static final CompletionStage<?> NOT_RPC = CompletableFuture.completedFuture(null);

    Commands(StreamCommands streams, PresenceCommands presence, ChannelCommands channels, RpcChannels rpcChannels,
             CommandRate rate, ToIntFunction<String> reach) {
        this.rate = rate;
        this.reach = reach;
        this.streams = streams;
        this.presence = presence;
        this.channels = channels;
        this.rpcChannels = rpcChannels;
    }

    /**
     * Carries out a command; returns the stage of an RPC call it made (the connection's lane holds its next step
     * back until it completes), or null.
     */
    CompletionStage<?> handle(CableSession session, Command command) {
        Subscription subscription = command.identifier() == null ? null
                : session.subscriptions().get(command.identifier());
        if (rpcChannels != null && command.identifier() != null) {
            CompletionStage<?> call = rpcCall(session, command);
            if (call != NOT_RPC) {
                return call;
            }
        }
        if (fansOut(command) && subscription != null && subscription.spec().stream() != null
                && !rate.allowsReach(session, reach.applyAsInt(subscription.spec().stream()))) {
            return null; // disconnected as too_many_requests
        }
        switch (command.command()) {
            case "subscribe" -> {
                if (!channels.subscribe(session, command)) {
                    streams.subscribe(session, command);
                }
            }
            case "unsubscribe" -> {
                Subscription gone = streams.unsubscribe(session, command);
                if (gone != null && gone.channel() != null) {
                    channels.unsubscribed(session, gone);
                }
            }
            case "message" -> {
                if (subscription != null && subscription.channel() != null) {
                    channels.perform(session, command, subscription);
                } else {
                    streams.perform(session, command, subscription);
                }
            }
            case "history" -> streams.history(session, command, subscription);
            case "whisper" -> streams.whisper(session, command, subscription);
            case "join" -> presence.join(session, command, subscription);
            case "leave" -> presence.leave(session, subscription);
            case "presence" -> presence.info(session, command, subscription);
            case "ping" -> session.send(Codec.pong());
            case "pong" -> session.sendsPongs(); // its JSON pings can now prove it alive (pong_timeout)
            default -> BadFrames.report(session, "unknown command '" + command.command() + "'");
        }
        return null;
    }

    /** A command that sends an event to every subscriber of its stream. */
    private static boolean fansOut(Command command) {
        return switch (command.command()) {
            case "whisper", "join", "leave" -> true;
            default -> false;
        };
    }

    /**
     * An application channel's subscribe, message or unsubscribe over RPC, or {@link #NOT_RPC}. A Java
     * {@code @CableChannel} of the same name wins, then jcable's own stream channels; every other channel name is
     * the application's.
     */
    private CompletionStage<?> rpcCall(CableSession session, Command command) {
        String identifier = command.identifier();
        return switch (command.command()) {
            case "subscribe" -> channels.channelOf(identifier) == null && rpcChannels.owns(identifier)
                    && !rpcChannels.subscribed(session, identifier) ? rpcChannels.subscribe(session, command) : NOT_RPC;
            case "message" -> rpcChannels.subscribed(session, identifier) ? rpcChannels.perform(session, command)
                    : NOT_RPC;
            case "unsubscribe" -> rpcChannels.subscribed(session, identifier)
                    ? rpcChannels.unsubscribe(session, command) : NOT_RPC;
            default -> NOT_RPC;
        };
    }

    /** The connection closed: its subscriptions leave the hub, then its channels hear {@code unsubscribed}. */
    void closed(CableSession session) {
        for (Subscription subscription : session.subscriptions().values()) {
            streams.detach(session, subscription);
        }
        channels.closed(session);
        if (rpcChannels != null) {
            rpcChannels.closed(session);
        }
    }
}
