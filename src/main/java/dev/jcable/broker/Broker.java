package dev.jcable.broker;

import dev.jcable.protocol.PresenceInfo;
import java.util.List;
import java.util.Optional;
import java.util.function.LongConsumer;

/**
 * The broker SPI: where broadcasts, their history, restorable sessions and presence live. The memory
 * implementation keeps everything on one node; a clustered one shares it. Implementations are thread-safe and never
 * block on the delivery path.
 */
public interface Broker {

    /** Where this broker delivers messages and presence events; called once before any other method. */
    void start(BrokerListener listener);

    /**
     * Identifies this broker's history: offsets from another epoch (e.g. before a restart) mean nothing here. A broker
     * whose streams each have their own epoch (carried by every {@link StreamMessage}) returns a label saying so.
     */
    String epoch();

    // ---- streams and history ------------------------------------------------------------------------

    /** Stores a broadcast in its stream's history (next offset) and delivers it, in offset order per stream. */
    void publish(Publication publication);

    /**
     * Hands a remote command to every node's {@link BrokerListener#command} (this one's included), once each; not
     * stored: a node that is away when it is sent never sees it.
     */
    void command(RemoteCommand command);

    /**
     * Delivers a transient message (a whisper) to the stream's subscribers on every node, without an offset and
     * without storing it.
     */
    void whisper(Publication publication);

    /**
     * Runs {@code subscribe} (registering a subscriber of {@code stream}) with the stream's latest offset, so that
     * no publication to the stream interleaves, and returns that offset: the subscriber receives every later offset
     * live (fan-outs of earlier ones still queued skip it), so history served to it stops at the returned offset and
     * nothing arrives twice.
     */
    long attach(String stream, LongConsumer subscribe);

    /**
     * A subscriber registered by {@link #attach} is gone (unsubscribed, or its connection closed). A clustered broker
     * stops listening to a stream once this node has no subscriber of it; the memory broker needs no telling.
     */
    default void detach(String stream) {
    }

    /**
     * Messages of {@code stream} after {@code offset} up to {@code upTo}; empty (refuse) when the epoch is not this
     * broker's, the stream is unknown, the offset is ahead of the stream, or messages after it are no longer kept.
     */
    Optional<List<StreamMessage>> historyFrom(String stream, String epoch, long offset, long upTo);

    /** Messages of {@code stream} published at or after {@code sinceSeconds} (Unix seconds), up to {@code upTo}. */
    List<StreamMessage> historySince(String stream, long sinceSeconds, long upTo);

    // ---- sessions -------------------------------------------------------------------------------------

    /** Keeps a disconnected session's state for {@code sessions_ttl}, to be restored by a reconnecting client. */
    void cacheSession(String sid, CachedSession session);

    /** A cached session, which stays restorable until it expires. */
    Optional<CachedSession> restoreSession(String sid);

    // ---- presence -------------------------------------------------------------------------------------

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

    /**
     * Which of {@code streams} had a presence transition (a join or a leave) at or after {@code sinceMillis} (epoch
     * millis): a restored client may have missed it. A stream whose last transition is older than the broker
     * remembers (at least {@code sessions_ttl}) counts as unchanged.
     */
    java.util.Set<String> presenceChangedSince(java.util.Collection<String> streams, long sinceMillis);

    /**
     * How many members {@code stream} has (distinct presence ids), without listing them: the same figure as
     * {@link #presenceInfo}'s total, at O(1) on the memory broker and one {@code ZCARD} (after expiring what is due)
     * on Redis.
     */
    int presenceCount(String stream);

    /** The streams with presence members (as {@link #presenceCount} counts them) whose names start with {@code prefix}. */
    java.util.Set<String> presenceStreams(String prefix);

    // ---- occupancy ------------------------------------------------------------------------------------

    /**
     * The streams with a subscriber on some node whose names start with {@code prefix}: Pusher's occupied channels.
     * A stream becomes occupied with its first subscriber in the cluster and vacated with its last, each edge reported
     * once for the cluster ({@link BrokerListener#occupancyChanged}). The memory broker counts this node's
     * subscribers; the Redis broker tracks occupancy only when its settings ask for it (Pusher mode), and otherwise
     * answers with this node's streams only.
     */
    java.util.Set<String> occupiedStreams(String prefix);

    /**
     * Subscriptions to {@code stream}: this node's, exact; with the Redis broker tracking occupancy, plus every other
     * node's as it stood at that node's last renewal (at most half a presence lease old).
     */
    int subscriptions(String stream);

    /** Whether {@code stream} is one of {@link #occupiedStreams}. */
    default boolean occupied(String stream) {
        return occupiedStreams(stream).contains(stream);
    }

    /** Whether the broker's store answers (a clustered broker's Redis); for the health endpoint. */
    default boolean healthy() {
        return true;
    }

    /** What this broker holds, counted now (for the metrics); {@link BrokerStats#UNKNOWN} where it cannot tell. */
    default BrokerStats stats() {
        return BrokerStats.UNKNOWN;
    }

    /** Stops timers; called on undeploy. */
    void stop();
}
