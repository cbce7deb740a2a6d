package dev.jcable.node;

import dev.jcable.metrics.Counter;
import dev.jcable.protocol.Command;
import dev.jcable.protocol.JsonText;
import dev.jcable.rpc.Rpc;
import dev.jcable.rpc.RpcException;
import dev.jcable.rpc.RpcMessages.CommandCall;
import dev.jcable.rpc.RpcMessages.CommandReply;
import dev.jcable.rpc.RpcMessages.ConnectReply;
import dev.jcable.rpc.RpcMessages.DisconnectCall;
import dev.jcable.rpc.RpcMessages.Env;
import dev.jcable.rpc.RpcMessages.Status;
import dev.jcable.session.CableSession;
import dev.jcable.session.Subscription;
import dev.jcable.streams.StreamResolver;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.websocket.CloseReason;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * Channels that live in the application, reached over AnyCable RPC: Connect when a connection opens, Command for
 * {@code subscribe}, {@code message} and {@code unsubscribe}, Disconnect after it closed. The sibling of
 * {@link ChannelCommands}: the answers are applied with the same stream and presence commands, so an RPC channel's
 * streams, history and presence are jcable's own. Every command of a connection runs on its
 * {@link dev.jcable.session.Lane} (a call is an async step), so that one call's answer is applied before the next
 * command starts, and no thread waits for the backend.
 *
 * <p>A subscription may follow several streams: the first one is its stream in the session (history, presence,
 * whisper work on it), the others are followed in the hub under the same identifier.
 */
final class RpcChannels {

    private static final Logger LOG = Logger.getLogger(RpcChannels.class.getName());

    private final Rpc rpc;
    private final StreamCommands streams;
    private final RpcAnswers answers;
    private final boolean turboStreams;
    private final Map<String, Connection> connections = new ConcurrentHashMap<>();

    RpcChannels(Rpc rpc, StreamCommands streams, PresenceCommands presence, boolean turboStreams) {
        this.rpc = rpc;
        this.streams = streams;
        this.answers = new RpcAnswers(streams, presence);
        this.turboStreams = turboStreams;
    }

    /** What the application sees of a connection for its whole life. */
    private static final class Connection {
        final String url;
        final Map<String, String> headers;
        final Map<String, String> cstate = new LinkedHashMap<>();
        /** The RPC subscriptions: identifier → streams (first: the session's) and channel state. */
        final Map<String, Channel> channels = new LinkedHashMap<>();
        volatile boolean connected;

        Connection(String url, Map<String, String> headers) {
            this.url = url;
            this.headers = headers;
        }

        Env env(Map<String, String> istate) {
            return new Env(url, headers, cstate, istate);
        }
    }

    private static final class Channel {
        final List<String> streams = new ArrayList<>();
        final Map<String, String> istate = new LinkedHashMap<>();
    }

    /** Whether an identifier names an application channel: any channel but jcable's own stream channels. */
    boolean owns(String identifier) {
        JsonObject params = identifier == null ? null : ChannelCommands.params(identifier);
        String channel = params != null && params.get("channel") instanceof JsonString s ? s.getString() : null;
        return channel != null && !StreamResolver.PUBSUB_CHANNEL.equals(channel)
                && !(turboStreams && "Turbo::StreamsChannel".equals(channel));
    }

    /** Whether {@code identifier} is one of the session's RPC subscriptions. */
    boolean subscribed(CableSession session, String identifier) {
        Connection connection = connections.get(session.sid());
        return connection != null && connection.channels.containsKey(identifier);
    }

    /** Registers a connection: the handshake's URL and headers go with every call. */
    void open(CableSession session, String url, Map<String, String> headers) {
        connections.put(session.sid(), new Connection(url, headers));
    }

    /**
     * The Connect call. On SUCCESS the identifiers and state are kept and the application's transmissions sent in
     * order, its {@code welcome} replaced by {@code welcome} (jcable's: the sid, restored subscriptions, as without
     * RPC); FAILURE is {@code unauthorized}; ERROR or no answer closes with 1011 {@code Auth Error}, as anycable-go.
     */
    CompletionStage<?> connect(CableSession session, Runnable welcome) {
        Connection connection = connections.get(session.sid());
        return rpc.connect(session.sid(), connection.env(Map.of())).handle((reply, error) -> {
            if (error != null) {
                refuse(session, "RPC Connect failed: " + RpcException.of(error).getMessage());
                return null;
            }
            applyConnect(session, connection, reply, welcome);
            return null;
        });
    }

    private void applyConnect(CableSession session, Connection connection, ConnectReply reply, Runnable welcome) {
        if (reply.status() == Status.ERROR) {
            refuse(session, "the application's Connect answered ERROR: " + reply.errorMsg());
            return;
        }
        boolean success = reply.status() == Status.SUCCESS;
        boolean welcomed = false;
        for (String transmission : reply.transmissions()) {
            String type = type(transmission);
            if ("welcome".equals(type)) {
                if (success && !welcomed) {
                    session.identifiers(reply.identifiers());
                    merge(connection.cstate, reply.cstate());
                    connection.connected = true;
                    welcomed = true;
                    welcome.run();
                }
            } else if (!"disconnect".equals(type)) {
                session.send(transmission);
            }
        }
        if (!success) {
            Counter.FAILED_AUTHS.increment();
            LOG.fine(() -> "jcable: the application refused connection " + session.sid());
            session.disconnect("unauthorized", false, CloseReason.CloseCodes.NORMAL_CLOSURE, "Auth Failed");
        } else if (!welcomed) { // Action Cable clients wait for one; the application sent none
            session.identifiers(reply.identifiers());
            merge(connection.cstate, reply.cstate());
            connection.connected = true;
            welcome.run();
        }
    }

    private void refuse(CableSession session, String why) {
        Counter.FAILED_AUTHS.increment();
        LOG.warning(() -> "jcable: " + why + "; closing connection " + session.sid() + " (1011 Auth Error)");
        session.closeNow(new CloseReason(CloseReason.CloseCodes.UNEXPECTED_CONDITION, "Auth Error"));
    }

    /** Connects without a call (a JWT identified it, or a restored session brought its identifiers). */
    void connected(CableSession session) {
        Connection connection = connections.get(session.sid());
        if (connection != null) {
            connection.connected = true;
        }
    }

    CompletionStage<?> subscribe(CableSession session, Command command) {
        Connection connection = connections.get(session.sid());
        String quoted = streams.admissible(session, command.identifier());
        if (connection == null || quoted == null || session.disconnecting()) {
            return null;
        }
        String identifier = command.identifier();
        if (command.history() != null) {
            session.hold(identifier); // live messages wait behind the history, as for jcable's own channels
        }
        return call(session, connection, "subscribe", identifier, null, Map.of()).handle((reply, error) -> {
            if (error != null || reply.status() != Status.SUCCESS) {
                session.discard(identifier);
                String reason = error != null ? reason(RpcException.of(error)) : null;
                if (reply != null) {
                    reply.transmissions().forEach(session::send);
                }
                if (reason != null || reply.transmissions().stream().noneMatch(
                        t -> "reject_subscription".equals(type(t)))) {
                    session.send("{\"identifier\":" + quoted + ",\"type\":\"reject_subscription\""
                            + (reason == null ? "" : ",\"reason\":" + JsonText.quote(reason)) + "}");
                }
                if (reply != null && reply.disconnect()) {
                    disconnect(session);
                }
                return null;
            }
            Channel channel = new Channel();
            merge(channel.istate, reply.istate());
            connection.channels.put(identifier, channel);
            Subscription subscription = new Subscription(identifier, RpcAnswers.spec(null), null);
            session.subscriptions().put(identifier, subscription);
            answers.streams(session, channel.streams, identifier, reply);
            merge(connection.cstate, reply.cstate());
            reply.transmissions().forEach(session::send);
            Subscription current = session.subscriptions().get(identifier);
            if (command.history() != null && current != null) {
                streams.history(session, command, current);
            }
            answers.presence(session, identifier, reply);
            if (reply.disconnect()) {
                disconnect(session);
            }
            return null;
        });
    }

    CompletionStage<?> perform(CableSession session, Command command) {
        Connection connection = connections.get(session.sid());
        Channel channel = connection == null ? null : connection.channels.get(command.identifier());
        if (channel == null) {
            return null;
        }
        if (!(command.data() instanceof JsonString text)) {
            BadFrames.report(session, "message data must be a JSON string");
            return null;
        }
        String identifier = command.identifier();
        return call(session, connection, "message", identifier, text.getString(), Map.copyOf(channel.istate))
                .handle((reply, error) -> {
                    if (error != null) {
                        LOG.warning(() -> "jcable: RPC perform of session " + session.sid() + " failed: "
                                + RpcException.of(error).getMessage() + "; the client gets no answer");
                        return null;
                    }
                    merge(connection.cstate, reply.cstate());
                    if (connection.channels.get(identifier) == channel) { // still subscribed
                        merge(channel.istate, reply.istate());
                        answers.streams(session, channel.streams, identifier, reply);
                    }
                    reply.transmissions().forEach(session::send);
                    if (connection.channels.get(identifier) == channel) {
                        answers.presence(session, identifier, reply);
                    }
                    if (reply.disconnect()) {
                        disconnect(session);
                    }
                    return null;
                });
    }

    /** The client's unsubscribe: its streams stop now, then the application's {@code unsubscribed} runs. */
    CompletionStage<?> unsubscribe(CableSession session, Command command) {
        Connection connection = connections.get(session.sid());
        Channel channel = connection == null ? null : connection.channels.remove(command.identifier());
        if (channel == null) {
            return null;
        }
        streams.unsubscribe(session, command); // the session's stream, its presence
        answers.stopFollowers(session, command.identifier(), channel.streams);
        return call(session, connection, "unsubscribe", command.identifier(), null, Map.copyOf(channel.istate))
                .handle((reply, error) -> {
                    if (reply != null) {
                        merge(connection.cstate, reply.cstate());
                        reply.transmissions().forEach(session::send);
                    }
                    return null;
                });
    }

    /**
     * The connection closed (its session's subscriptions were detached already): the other streams of its RPC
     * subscriptions stop, and its Disconnect call is queued. Runs on its lane, after everything it sent.
     */
    void closed(CableSession session) {
        Connection connection = connections.remove(session.sid());
        if (connection == null) {
            return;
        }
        List<String> subscriptions = new ArrayList<>();
        connection.channels.forEach((identifier, channel) -> {
            subscriptions.add(identifier);
            answers.stopFollowers(session, identifier, channel.streams);
        });
        if (connection.connected) {
            rpc.disconnectLater(session.sid(), new DisconnectCall(session.identifiers(), subscriptions,
                    connection.env(Map.of())));
        }
    }

    // ---- applying an answer -----------------------------------------------------------------------

    private void disconnect(CableSession session) {
        session.disconnect("unauthorized", false, CloseReason.CloseCodes.NORMAL_CLOSURE, "Command Failed");
    }

    private CompletableFuture<CommandReply> call(CableSession session, Connection connection, String command,
                                                 String identifier, String data, Map<String, String> istate) {
        return rpc.command(session.sid(), new CommandCall(command, identifier, session.identifiers(), data,
                connection.env(istate)));
    }

    /** An empty value removes the key, as AnyCable's state changes do. */
    private static void merge(Map<String, String> state, Map<String, String> changes) {
        changes.forEach((key, value) -> {
            if (value == null || value.isEmpty()) {
                state.remove(key);
            } else {
                state.put(key, value);
            }
        });
    }

    /** Why a subscribe got no answer: rpc_timeout, rpc_unavailable or rpc_error (in reject_subscription). */
    private static String reason(RpcException error) {
        return switch (error.kind()) {
            case TIMEOUT -> "rpc_timeout";
            case UNAVAILABLE, EXHAUSTED -> "rpc_unavailable";
            case FAILED -> "rpc_error";
        };
    }

    private static String type(String transmission) {
        JsonObject json = ChannelCommands.params(transmission);
        return json != null && json.get("type") instanceof JsonString s ? s.getString() : null;
    }
}
