package dev.jcable.rpc;

import java.util.List;
import java.util.Map;

/** The messages of AnyCable's {@code rpc.proto}, as records (field names as the proto's, in Java case). */
public final class RpcMessages {

    private RpcMessages() {
    }

    /** {@code Status}: an answer's outcome. ERROR is the application failing, FAILURE its refusal. */
    public enum Status { ERROR, SUCCESS, FAILURE;

        static Status of(int number) {
            return number == 1 ? SUCCESS : number == 2 ? FAILURE : ERROR;
        }
    }

    /**
     * {@code Env}: what the application sees of the connection.
     *
     * @param url     the handshake's URL
     * @param headers the configured handshake headers (lower case), and the remote address as {@code REMOTE_ADDR}
     * @param cstate  the connection's state, as the application last changed it
     * @param istate  the channel's state (Command only), as the application last changed it; else empty
     */
    public record Env(String url, Map<String, String> headers, Map<String, String> cstate,
                      Map<String, String> istate) {
        public Env {
            headers = Map.copyOf(headers);
            cstate = Map.copyOf(cstate);
            istate = Map.copyOf(istate);
        }
    }

    /** {@code ConnectionResponse}; {@code cstate} holds its changes (an empty value removes the key). */
    public record ConnectReply(Status status, String identifiers, List<String> transmissions, String errorMsg,
                               Map<String, String> cstate) {
    }

    /** {@code CommandMessage}: {@code command} is subscribe, unsubscribe or message. */
    public record CommandCall(String command, String identifier, String connectionIdentifiers, String data,
                              Env env) {
    }

    /**
     * {@code PresenceResponse}: the channel joins ({@code type} "join") or leaves ("leave") presence of its stream.
     *
     * @param info JSON text, or null
     */
    public record Presence(String type, String id, String info) {
    }

    /** {@code CommandResponse}; {@code cstate}, {@code istate} hold changes; {@code presence} may be null. */
    public record CommandReply(Status status, boolean disconnect, boolean stopStreams, List<String> streams,
                               List<String> stoppedStreams, List<String> transmissions, String errorMsg,
                               Map<String, String> cstate, Map<String, String> istate, Presence presence) {
    }

    /** {@code DisconnectRequest}: {@code subscriptions} are the identifiers of the RPC channels it had. */
    public record DisconnectCall(String identifiers, List<String> subscriptions, Env env) {
    }
}
