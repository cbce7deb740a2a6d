package dev.jcable.api;

/**
 * Who is online, asked from server code of the same application:
 * <pre>{@code
 * @Inject Presence presence;
 * int online = presence.count("room/1");
 * }</pre>
 * The figures are the cluster's with {@code broker=redis}.
 */
public interface Presence {

    /**
     * The number of members of {@code stream} (distinct presence ids, however many connections hold each), without
     * listing them: cheap on every broker (Pusher's {@code user_count}). 0 for a stream nobody joined.
     *
     * @throws RuntimeException when the broker cannot answer now (Redis unreachable: {@code BrokerUnavailableException})
     */
    int count(String stream);
}
