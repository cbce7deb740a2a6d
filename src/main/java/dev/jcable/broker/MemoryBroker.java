package dev.jcable.broker;

import dev.jcable.protocol.PresenceInfo;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The single-node broker: history ({@link HistoryStore}), restorable sessions ({@link SessionStore}) and presence
 * ({@link PresenceStore}) in this JVM, with one queue of deadlines that {@link #expire()} works off when the
 * earliest is due (see {@link ExpiryTimer}).
 */
public final class MemoryBroker implements Broker {

    private static final Logger LOG = Logger.getLogger(MemoryBroker.class.getName());
    private static final String EPOCH_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /** Arms a wake-up at an absolute time (epoch millis) when {@link #expire()} should run. */
    @FunctionalInterface
    public interface Wakeup {
        void at(long deadlineMillis);
    }

    private final LongSupplier clock;
    private final String epoch;
    private final Deadlines deadlines;
    private final HistoryStore history;
    private final SessionStore sessions;
    private final PresenceStore presence;
    private final LocalOccupancy occupancy = new LocalOccupancy();
    private volatile BrokerListener listener;

    public MemoryBroker(LongSupplier clock, BrokerSettings settings, Wakeup wakeup) {
        this.clock = clock;
        this.epoch = newEpoch();
        this.deadlines = new Deadlines(wakeup);
        this.history = new HistoryStore(clock, epoch, settings.historyLimit(), settings.historyTtl().toMillis(),
                deadlines);
        this.sessions = new SessionStore(clock, settings.sessionsTtl().toMillis(), settings.sessionsMaxSize(),
                deadlines);
        this.presence = new PresenceStore(clock, settings.presenceTtl().toMillis(), settings.maxMembers(), deadlines,
                (stream, event, members) -> {
                    listener.presence(stream, event);
                    listener.presenceChanged(stream, event, members); // a single node: every transition is its own
                });
    }

    @Override
    public void start(BrokerListener listener) {
        this.listener = listener;
    }

    @Override
    public String epoch() {
        return epoch;
    }

    @Override
    public void publish(Publication publication) {
        history.publish(publication, message -> listener.deliver(message));
    }

    @Override
    public void command(RemoteCommand command) {
        listener.command(command);
    }

    @Override
    public void whisper(Publication publication) {
        listener.deliver(new StreamMessage(publication.stream(), publication.data(), publication.excludeSocket(), null,
                0));
    }

    @Override
    public long attach(String stream, LongConsumer subscribe) {
        long offset = history.attach(stream, subscribe);
        occupancy.attached(stream, listener);
        return offset;
    }

    @Override
    public void detach(String stream) {
        occupancy.detached(stream, listener);
    }

    @Override
    public int subscriptions(String stream) {
        return occupancy.subscribers(stream);
    }

    @Override
    public java.util.Set<String> occupiedStreams(String prefix) {
        return occupancy.streams(prefix);
    }

    @Override
    public Optional<List<StreamMessage>> historyFrom(String stream, String epoch, long offset, long upTo) {
        return history.from(stream, epoch, offset, upTo);
    }

    @Override
    public List<StreamMessage> historySince(String stream, long sinceSeconds, long upTo) {
        return history.since(stream, sinceSeconds, upTo);
    }

    @Override
    public void cacheSession(String sid, CachedSession session) {
        sessions.cache(sid, session);
    }

    @Override
    public Optional<CachedSession> restoreSession(String sid) {
        return sessions.restore(sid);
    }

    @Override
    public java.util.Set<String> presenceChangedSince(java.util.Collection<String> streams, long sinceMillis) {
        return presence.changedSince(streams, sinceMillis);
    }

    @Override
    public JoinResult presenceAdd(String stream, String sid, String pid, String info) {
        return presence.add(stream, sid, pid, info);
    }

    @Override
    public boolean presenceRemove(String stream, String sid) {
        return presence.remove(stream, sid);
    }

    @Override
    public void presenceDisconnected(String sid) {
        presence.disconnected(sid);
    }

    @Override
    public PresenceInfo presenceInfo(String stream) {
        return presence.info(stream);
    }

    @Override
    public int presenceCount(String stream) {
        return presence.count(stream);
    }

    @Override
    public java.util.Set<String> presenceStreams(String prefix) {
        return presence.streams(prefix);
    }

    /**
     * Works off every deadline that has passed: presence TTLs (emitting {@code leave}), history entries, cached
     * sessions.
     *
     * @return the next deadline (epoch millis), or {@link Long#MAX_VALUE} when none is pending
     */
    public long expire() {
        long now = clock.getAsLong();
        Deadlines.Due due;
        while ((due = deadlines.poll(now)) != null) {
            try {
                switch (due.kind()) {
                    case PRESENCE -> presence.expire(due.key());
                    case HISTORY -> history.expire(due.key(), due.at());
                    case SESSION -> sessions.expire(due.key(), now);
                }
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "jcable: expiry of " + due + " failed", e);
            }
        }
        return deadlines.next();
    }

    /** Sessions holding presence records (connected or within their TTL); for tests and metrics. */
    public int presenceSessions() {
        return presence.sessions();
    }

    /** Streams with an offset (and maybe history); for tests and metrics. */
    public int historyStreams() {
        return history.streams();
    }

    @Override
    public BrokerStats stats() {
        return new BrokerStats(presence.streamCount(), presence.memberCount(), history.streams(), history.messages());
    }

    /** Cached sessions; for tests and metrics. */
    public int cachedSessions() {
        return sessions.count();
    }

    /** Characters the cached sessions hold together; for tests and metrics. */
    public long cachedSessionsSize() {
        return sessions.size();
    }

    @Override
    public void stop() {
        deadlines.clear();
    }

    private static String newEpoch() {
        SecureRandom random = new SecureRandom();
        StringBuilder epoch = new StringBuilder(6);
        for (int i = 0; i < 6; i++) {
            epoch.append(EPOCH_ALPHABET.charAt(random.nextInt(EPOCH_ALPHABET.length())));
        }
        return epoch.toString();
    }
}
