package dev.jcable.broker.redis;

import dev.jcable.broker.BrokerUnavailableException;
import dev.jcable.broker.JoinResult;
import dev.jcable.protocol.PresenceEvent;
import dev.jcable.protocol.PresenceInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Presence in Redis, shared by every node (scripts: {@code presence_*.lua}). A record lives while its deadline is
 * ahead: this node renews the leases of its live sessions ({@link #touch()}, every half lease), a disconnected
 * session gets {@code presence_ttl}, and a killed node's sessions simply stop being renewed. Whichever node's
 * {@link #sweep()} removes a due record publishes its {@code leave}: exactly once, with no leader.
 *
 * <p>Every script that changes presence returns the events it published; the node that ran it reports them as its
 * transitions ({@code BrokerListener#presenceChanged}), so each transition is reported once for the cluster: joins
 * and leaves by the node whose session caused them, TTL expiries by the node whose sweep (or inline expiry) removed
 * the record.
 *
 * <p>Locally this node remembers which streams each of its sessions joined (to renew them, and to re-join them if
 * Redis lost them) and which sessions closed (a late {@code join} of a closed session is refused).
 */
final class RedisPresence {

    private static final Logger LOG = Logger.getLogger(RedisPresence.class.getName());
    /** Due streams taken per sweep round, and due sessions removed per stream and script run. */
    private static final int SWEEP_STREAMS = 500;
    private static final String SWEEP_SESSIONS = "1000";
    /** How long one sweep may go on taking full rounds (it runs every second). */
    private static final long SWEEP_BUDGET_MILLIS = 800;

    private final RedisKeys keys;
    private final RedisCalls redis;
    private final LongSupplier clock;
    private final long ttlMillis;
    private final long leaseMillis;
    private final int maxMembers;
    private final ConcurrentHashMap<String, Local> sessions = new ConcurrentHashMap<>();
    private final Transitions transitions;
    /** When this node's renewal last went through (its clock); a sweep after a longer gap renews first. */
    private volatile long touchedAt;
    /** How late a renewal may be before a sweep renews first. */
    private static final long RENEW_SLACK_MILLIS = 1000;
    /** How long the data mark is kept past its last reading (presence_mark.lua): a day, as the other keys. */
    private static final String MARK_KEEP_MILLIS = "86400000";
    /** The data mark this node last read (null before its first reading); guarded by itself. */
    private final String[] mark = new String[1];
    /** When this node found that Redis had lost its data (its clock), 0 if never; see {@link #checkMark}. */
    private volatile long lostAt;
    /** When the subscribers here are resynced after a data loss (its clock), 0 when none is pending. */
    private volatile long resyncAt;
    /** Where that resync goes: every stream with subscribers here fetches presence afresh, from the given time. */
    private final java.util.function.LongConsumer dataLost;

    /** Where this node's transitions go ({@code BrokerListener#presenceChanged}). */
    @FunctionalInterface
    interface Transitions {
        void changed(String stream, PresenceEvent event, int members);
    }

    RedisPresence(RedisKeys keys, RedisCalls redis, LongSupplier clock, long ttlMillis, long leaseMillis,
                  int maxMembers, Transitions transitions, java.util.function.LongConsumer dataLost) {
        this.transitions = transitions;
        this.dataLost = dataLost;
        this.keys = keys;
        this.redis = redis;
        this.clock = clock;
        this.ttlMillis = ttlMillis;
        this.leaseMillis = leaseMillis;
        this.maxMembers = maxMembers;
    }

    JoinResult add(String stream, String sid, String pid, String info) {
        while (true) {
            Local session = sessions.computeIfAbsent(sid, k -> new Local());
            synchronized (session) {
                if (sessions.get(sid) != session) {
                    continue; // forgotten meanwhile: a record kept in an orphan would never be renewed
                }
                return addLocked(session, stream, sid, pid, info);
            }
        }
    }

    /** The join itself; the caller holds {@code session}'s monitor. */
    private JoinResult addLocked(Local session, String stream, String sid, String pid, String info) {
        if (session.closedAt != 0) {
            return JoinResult.SESSION_CLOSED;
        }
        String outcome;
        try {
            outcome = join(stream, sid, pid, info, false);
        } catch (RuntimeException e) {
            forgetIfEmpty(sid, session);
            throw e;
        }
        JoinResult result = switch (outcome) {
            case "joined" -> JoinResult.JOINED;
            case "updated" -> JoinResult.UPDATED;
            case "id_mismatch" -> JoinResult.ID_MISMATCH;
            case "members_limit" -> JoinResult.MEMBERS_LIMIT;
            default -> throw new IllegalStateException("jcable: presence_add answered " + outcome);
        };
        if (result == JoinResult.JOINED || result == JoinResult.UPDATED) {
            session.streams.put(stream, new Joined(pid, info));
        } else {
            forgetIfEmpty(sid, session);
        }
        return result;
    }

    private String join(String stream, String sid, String pid, String info, boolean quiet) {
        List<String> reply = redis.call(RedisScripts.PRESENCE_ADD, keys.presence(stream), stream, keys.channel(stream),
                sid, pid, info == null ? "" : info, Long.toString(leaseMillis), Integer.toString(maxMembers),
                quiet ? "1" : "0");
        return reported(stream, reply).get(0);
    }

    /**
     * Reports the events a script published ({@code with_events} in lib.lua: their count, the events, then the
     * result) as this node's transitions, and returns the script's own result. The listener only queues them.
     */
    private List<String> reported(String stream, List<String> reply) {
        int count = Integer.parseInt(reply.get(0));
        for (int i = 1; i <= count; i++) {
            String event = reply.get(i); // <members after it>,<payload as published>
            int comma = event.indexOf(',');
            transitions.changed(stream, PubSubPayloads.presence(event.substring(comma + 1)),
                    Integer.parseInt(event, 0, comma, 10));
        }
        return reply.subList(count + 1, reply.size());
    }

    boolean remove(String stream, String sid) {
        Local session = sessions.get(sid);
        if (session == null) {
            return false;
        }
        synchronized (session) {
            // forgotten here first: a renewal racing with this leave must not join the session again
            if (session.streams.remove(stream) == null) {
                return false;
            }
            forgetIfEmpty(sid, session);
            List<String> reply = redis.call(RedisScripts.PRESENCE_REMOVE, keys.presence(stream), stream,
                    keys.channel(stream), sid);
            return reported(stream, reply).get(0).equals("1");
        }
    }

    void disconnected(String sid) {
        // kept (closed) even without records, so that a join arriving after the close is refused, not renewed forever
        Local session = sessions.computeIfAbsent(sid, k -> new Local());
        Map<String, CompletableFuture<Object>> calls = new HashMap<>();
        synchronized (session) {
            session.closedAt = clock.getAsLong();
            for (String stream : session.streams.keySet()) {
                calls.put(stream, ttlMillis == 0
                        ? redis.async(RedisScripts.PRESENCE_REMOVE, keys.presence(stream), stream, keys.channel(stream),
                                sid)
                        : redis.async(RedisScripts.PRESENCE_DISCONNECTED, keys.presence(stream), stream,
                                keys.channel(stream), sid, Long.toString(ttlMillis)));
            }
            session.streams.clear();
        }
        try {
            for (Map.Entry<String, CompletableFuture<Object>> call : calls.entrySet()) {
                Object reply = redis.await(call.getValue(), "presence_disconnected");
                if (reply instanceof List<?> removed) { // presence_remove (ttl 0): its leave is this node's
                    @SuppressWarnings("unchecked")
                    List<String> strings = (List<String>) removed;
                    reported(call.getKey(), strings);
                }
            }
        } catch (BrokerUnavailableException e) {
            // this node no longer renews the session's leases: its records end with the lease instead of the TTL
            LOG.log(Level.FINE, "jcable: disconnect of " + sid + " not recorded in Redis", e);
        }
    }

    PresenceInfo info(String stream) {
        List<String> flat = reported(stream, redis.call(RedisScripts.PRESENCE_INFO, keys.presence(stream), stream,
                keys.channel(stream)));
        long seq = Long.parseLong(flat.get(0)); // read by the script with the members: the number of the set's state
        if (flat.size() == 1) {
            return seq == 0 ? PresenceInfo.EMPTY : new PresenceInfo(0, List.of(), seq);
        }
        List<PresenceInfo.Record> records = new ArrayList<>(flat.size() / 2);
        for (int i = 1; i + 1 < flat.size(); i += 2) {
            String info = flat.get(i + 1);
            records.add(new PresenceInfo.Record(flat.get(i), info.isEmpty() ? null : info));
        }
        return new PresenceInfo(records.size(), List.copyOf(records), seq);
    }

    /** The members of {@code stream}: one ZCARD after expiring what is due, as {@link #info} does. */
    int count(String stream) {
        return Integer.parseInt(reported(stream, redis.call(RedisScripts.PRESENCE_COUNT, keys.presence(stream), stream,
                keys.channel(stream))).get(0));
    }

    /** The streams with members whose names start with {@code prefix}: the sweep index holds exactly those. */
    java.util.Set<String> streams(String prefix) {
        List<String> all = redis.await(redis.commands().zrange(keys.sweepIndex(), 0, -1).toCompletableFuture(),
                "presence streams");
        return dev.jcable.broker.StreamNames.startingWith(all, prefix);
    }

    /**
     * Renews the lease of every live session of this node, one script per stream, all sent at once. A record Redis
     * no longer has (it was swept while this node could not renew it, or Redis lost its data) is joined again, so
     * the cluster's set ends equal to the live one. Also forgets sessions closed longer than a TTL ago.
     */
    void touch() {
        long now = clock.getAsLong();
        touchAll(now);
        touchedAt = now;
    }

    private void touchAll(long now) {
        Map<String, List<String>> live = new HashMap<>();
        sessions.forEach((sid, session) -> {
            synchronized (session) {
                if (session.closedAt != 0) {
                    if (now - session.closedAt > ttlMillis + leaseMillis) {
                        sessions.remove(sid, session);
                    }
                    return;
                }
                session.streams.keySet().forEach(stream -> live.computeIfAbsent(stream, s -> new ArrayList<>())
                        .add(sid));
            }
        });
        Map<String, CompletableFuture<List<String>>> calls = new HashMap<>();
        live.forEach((stream, sids) -> {
            String[] args = new String[sids.size() + 2];
            args[0] = stream;
            args[1] = Long.toString(leaseMillis);
            for (int i = 0; i < sids.size(); i++) {
                args[i + 2] = sids.get(i);
            }
            calls.put(stream, redis.async(RedisScripts.PRESENCE_TOUCH, keys.presence(stream), args));
        });
        boolean[] checked = new boolean[1];
        calls.forEach((stream, call) -> {
            for (String sid : redis.await(call, "presence_touch")) {
                if (!checked[0]) {
                    checked[0] = true;
                    checkMark(); // lost with Redis's data, or swept (then a leave was published): which one decides
                }
                rejoin(stream, sid, clock.getAsLong() - lostAt < 2 * leaseMillis);
            }
        });
    }

    /**
     * Reads the data mark (presence_mark.lua; when the node connects, at each sweep, before a re-join); when it
     * changed since this node last read it, Redis lost its data: every record and every leave still due with it.
     * Transitions are then not announced for two leases from the first node's notice (quiet() in lib.lua), in which
     * every node joins its live members again at its next renewal (no leave was published for them, so no join
     * either); two and a half leases after this node's notice the subscribers of every stream here are told that
     * presence was lost, so that their clients fetch it afresh: the members who left or died meanwhile, whose leaves
     * went with the data, are gone from their lists, and those who joined in the window are in them.
     */
    void checkMark() {
        String known;
        synchronized (mark) {
            known = mark[0];
        }
        String[] markKeys = {keys.dataMark(), keys.sweepIndex() + ":quiet"}; // as lib.lua's quiet() reads them
        String read = redis.call(RedisScripts.PRESENCE_MARK, markKeys,
                java.util.UUID.randomUUID().toString(), MARK_KEEP_MILLIS, known == null ? "" : known,
                Long.toString(2 * leaseMillis));
        synchronized (mark) {
            String before = mark[0];
            mark[0] = read;
            if (before == null || before.equals(read)) {
                return;
            }
        }
        long now = clock.getAsLong();
        lostAt = now;
        resyncAt = now + 2 * leaseMillis + leaseMillis / 2; // after the quiet window (two leases from the first notice)
        LOG.warning(() -> "jcable: Redis lost its data (restarted without it, or flushed): presence transitions are not"
                + " announced for two leases while the nodes join their members again, then the presence subscribers"
                + " here fetch presence afresh");
    }

    /** Whether this node found that Redis lost its data at or after {@code sinceMillis} (its clock). */
    boolean lostSince(long sinceMillis) {
        long lost = lostAt;
        return lost != 0 && lost >= sinceMillis;
    }

    private void rejoin(String stream, String sid, boolean quiet) {
        Local session = sessions.get(sid);
        if (session == null) {
            return;
        }
        synchronized (session) {
            Joined joined = session.streams.get(stream);
            if (session.closedAt == 0 && joined != null) {
                String outcome = join(stream, sid, joined.pid(), joined.info(), quiet);
                LOG.fine(() -> "jcable: re-joined " + sid + " to " + stream + (quiet ? " quietly" : "")
                        + " after Redis lost it: " + outcome);
            }
        }
    }

    /**
     * Works off the sweep index: every stream with a due record runs the expire script, which removes what is due
     * and publishes the leaves. Two nodes sweeping the same stream at once: the second finds nothing due. Rounds of
     * {@link #SWEEP_STREAMS} follow each other while a round was full, for at most {@link #SWEEP_BUDGET_MILLIS}, so
     * a burst of expiries (a killed node's members) is worked off at once rather than 100 streams a second.
     *
     * @return how many records this node removed
     */
    long sweep() {
        checkMark();
        long resync = resyncAt;
        if (resync != 0 && clock.getAsLong() >= resync) {
            resyncAt = 0;
            dataLost.accept(lostAt);
        }
        if (clock.getAsLong() - touchedAt > leaseMillis / 2 + RENEW_SLACK_MILLIS) {
            touch(); // this node could not renew for a while (Redis away, a pause): its renewal comes first
        }
        long removed = 0;
        long start = System.nanoTime();
        while (true) {
            long[] round = sweepRound();
            removed += round[1];
            if (round[0] < SWEEP_STREAMS || System.nanoTime() - start > SWEEP_BUDGET_MILLIS * 1_000_000) {
                return removed;
            }
        }
    }

    /** One round: {due streams taken, records removed}. */
    private long[] sweepRound() {
        List<String> due = redis.call(RedisScripts.PRESENCE_DUE, new String[] {keys.sweepIndex()},
                Integer.toString(SWEEP_STREAMS), Long.toString(leaseMillis));
        Map<String, CompletableFuture<List<String>>> calls = new HashMap<>();
        for (String stream : due) {
            calls.put(stream, redis.async(RedisScripts.PRESENCE_EXPIRE, keys.presence(stream), stream,
                    keys.channel(stream), SWEEP_SESSIONS));
        }
        long removed = 0;
        for (Map.Entry<String, CompletableFuture<List<String>>> call : calls.entrySet()) {
            removed += Long.parseLong(reported(call.getKey(), redis.await(call.getValue(), "presence_expire")).get(0));
        }
        return new long[] {due.size(), removed};
    }

    /** Sessions of this node holding presence (live, or closed within the TTL); for tests and metrics. */
    int sessions() {
        return sessions.size();
    }

    private void forgetIfEmpty(String sid, Local session) {
        if (session.streams.isEmpty() && session.closedAt == 0) {
            sessions.remove(sid, session);
        }
    }

    private record Joined(String pid, String info) {
    }

    /** One session of this node: the streams it joined, and when it closed (0 while open). Own monitor. */
    private static final class Local {
        final Map<String, Joined> streams = new HashMap<>(4);
        long closedAt;
    }
}
