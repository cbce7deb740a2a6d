package dev.jcable.api;

/**
 * Acts on connected clients from server code of the same application: logout, bans and revoked rights.
 * <pre>{@code
 * @Inject Connections connections;
 * connections.disconnect("{\"user_id\":\"42\"}", false);
 * }</pre>
 * The same as AnyCable's remote command {@code {"command":"disconnect","payload":{"identifier":…,"reconnect":…}}}
 * sent to {@code POST /_broadcast} or a Redis broadcast adapter.
 */
public interface Connections {

    /**
     * Closes every connection, on every node of the cluster, whose identifiers equal {@code identifiers} (the JSON
     * object the connection was identified with, compared as JSON); each is told {@code {"type":"disconnect",
     * "reason":"remote","reconnect":…}} first. Returns once every node has been sent the command; connections
     * elsewhere close shortly after. Nobody else is touched.
     *
     * @param identifiers the connection's identifiers as JSON text, e.g. {@code {"user_id":"42"}}
     * @param reconnect   whether the clients may reconnect (false for a logout or a ban)
     */
    void disconnect(String identifiers, boolean reconnect);
}
