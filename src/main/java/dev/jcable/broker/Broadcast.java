package dev.jcable.broker;

/**
 * What a broadcast adapter carries ({@code POST /_broadcast}, {@code redis}, {@code redisx}): a {@link Publication}
 * for a stream's subscribers, or a {@link RemoteCommand} for connections.
 */
public sealed interface Broadcast permits Publication, RemoteCommand {
}
