package dev.jcable.broker;

import dev.jcable.api.Publication;

/**
 * The broker SPI: where broadcasts and presence state live. The memory implementation keeps everything on one node;
 * a clustered one shares it. Implementations are thread-safe and never block on the delivery path.
 */
public interface Broker {

    /** Where this broker delivers publications and presence events; called once before any other method. */
    void start(BrokerListener listener);

    /** Accepts a broadcast and delivers it to the listener (on every node, for a clustered broker). */
    void publish(Publication publication);

    /**
     * Session {@code sid} joins {@code stream} as presence id {@code pid}. A new id emits a {@code join} event;
     * a known id only updates its info.
     *
     * @param info the presence info as JSON text, or null
     */
    JoinResult presenceAdd(String stream, String sid, String pid, String info);

    /** Session {@code sid} leaves {@code stream}; emits {@code leave} if no other session holds its id. */
    boolean presenceRemove(String stream, String sid);

    /**
     * Session {@code sid} is gone without leaving: its records stay for {@code presence_ttl}, then leave. A client
     * that comes back under a new session and re-joins with the same id in time causes no event at all.
     */
    void presenceDisconnected(String sid);

    /** The members of {@code stream}, in join order. */
    PresenceInfo presenceInfo(String stream);

    /** Stops timers; called on undeploy. */
    void stop();
}
