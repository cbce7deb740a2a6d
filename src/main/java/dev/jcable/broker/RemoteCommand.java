package dev.jcable.broker;

import java.util.Objects;

/**
 * AnyCable's remote command {@code {"command":"disconnect","payload":{"identifier":"…","reconnect":false}}}: every
 * connection, on every node, whose identifiers equal {@code identifiers} is told {@code {"type":"disconnect",
 * "reason":"remote","reconnect":…}} and closed. {@code disconnect} is the only command AnyCable defines.
 *
 * @param identifiers the connections' identifiers as JSON text, e.g. {@code {"user_id":"42"}}
 * @param reconnect   whether the clients may reconnect
 */
public record RemoteCommand(String identifiers, boolean reconnect) implements Broadcast {

    public RemoteCommand {
        Objects.requireNonNull(identifiers, "identifiers");
    }
}
