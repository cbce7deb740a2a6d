package dev.jcable.node;

import dev.jcable.broker.Broker;
import dev.jcable.broker.BrokerUnavailableException;
import dev.jcable.broker.CachedSession;
import dev.jcable.identity.Handshake;
import dev.jcable.protocol.Codec;
import dev.jcable.protocol.JsonText;
import dev.jcable.session.CableSession;
import dev.jcable.session.Subscription;
import dev.jcable.streams.StreamSpec;
import jakarta.json.JsonException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * Session recovery ({@code ?sid=}): a connection of the extended protocol takes over the subscriptions of a
 * disconnected session (cached by the broker) or of a live one the client gave up on, but only when it is the same
 * identity: its identifiers equal the old session's, or neither presented any (both anonymous, {@code {"sid":…}}).
 * A connection of another identity gets a fresh session, never the old one's subscriptions. Subscriptions to the
 * application's channels over RPC are not restored: their state and streams are what the application's
 * {@code subscribed} built, so the client subscribes again (for every identifier not in {@code restored_ids}).
 */
final class Restorer {

    private static final Logger LOG = Logger.getLogger(Restorer.class.getName());
    /** How long a restored subscription's live messages wait for the client's history request. */
    private static final long HISTORY_WAIT_MILLIS = 3000;

    private final Broker broker;
    private final StreamCommands streams;
    private final ChannelCommands channels;
    private final OneShots oneShots;
    private final boolean enabled;
    private final Admission admission;
    /** The application's channels over AnyCable RPC; null without {@code rpc_host}. */
    private final RpcChannels rpcChannels;

    Restorer(Broker broker, StreamCommands streams, ChannelCommands channels, RpcChannels rpcChannels,
             OneShots oneShots, boolean enabled, Admission admission) {
        this.rpcChannels = rpcChannels;
        this.broker = broker;
        this.streams = streams;
        this.channels = channels;
        this.oneShots = oneShots;
        this.enabled = enabled;
        this.admission = admission;
    }

    /**
     * Restores the session {@code handshake} names into {@code session} and welcomes it as restored; false (nothing
     * sent) when there is none to restore for this connection.
     *
     * @param live the live sessions by sid
     */
    boolean restore(CableSession session, Handshake handshake, Function<String, CableSession> live) {
        String previousSid = handshake.restoreSid();
        if (!enabled || !session.extended() || previousSid == null) {
            return false;
        }
        Optional<CachedSession> found = restorable(previousSid, live);
        if (found.isEmpty()) {
            return false;
        }
        CachedSession previous = found.get();
        // identified by a token, by the application's ConnectionIdentifier or by its RPC Connect (which answered
        // before this runs); else both sessions must be anonymous
        boolean identified = handshake.token() != null || admission.identifiesItself() || rpcChannels != null;
        String expected = identified ? session.identifiers() : anonymous(previousSid);
        if (!sameJson(expected, previous.identifiers())) {
            LOG.fine(() -> "jcable: session " + session.sid() + " may not restore " + previousSid
                    + ": another identity; welcomed as a new session");
            return false;
        }
        session.identifiers(previous.identifiers());
        Set<String> stale = stalePresence(previous);
        List<String> restored = new ArrayList<>();
        previous.subscriptions().forEach((identifier, spec) -> {
            if (spec.stream() != null && stale.contains(spec.stream())) {
                return;
            }
            Subscription subscription = new Subscription(identifier, spec, channels.channelOf(identifier));
            if (rpcChannels != null && subscription.channel() == null && rpcChannels.owns(identifier)) {
                return; // its state and streams are the application's: the client subscribes again, it rebuilds them
            }
            session.hold(identifier); // until the client's history request for it is served
            streams.attach(session, subscription);
            restored.add(identifier);
        });
        session.send(Codec.welcomeRestored(session.sid(), restored));
        session.subscriptions().values().stream().filter(s -> s.channel() != null).toList()
                .forEach(subscription -> channels.restored(session, subscription));
        // a client that does not ask for history (or asks late) still gets its live messages
        oneShots.schedule(() -> restored.forEach(session::release), HISTORY_WAIT_MILLIS);
        return true;
    }

    /**
     * The streams of the cached presence subscriptions that changed since the client was last heard from (less
     * {@link BrokerOutput#PRESENCE_MARGIN_MILLIS}); all of them when that is unknown or the broker cannot say (a subscription
     * started again costs a resubscribe, a wrong member list lasts). Those are left out of the restore: the official
     * client then starts them again (subscribe with its history position, presence fetched anew), so its member list
     * ends true.
     */
    private Set<String> stalePresence(CachedSession previous) {
        Set<String> watched = new HashSet<>();
        previous.subscriptions().values().forEach(spec -> {
            if (spec.presence() && spec.stream() != null) {
                watched.add(spec.stream());
            }
        });
        if (watched.isEmpty()) {
            return watched;
        }
        try {
            return broker.presenceChangedSince(watched, previous.heardAt() - BrokerOutput.PRESENCE_MARGIN_MILLIS);
        } catch (BrokerUnavailableException e) {
            return watched;
        }
    }

    /** A cached session, or the live one (the client noticed a dead network before this server did). */
    private Optional<CachedSession> restorable(String previousSid, Function<String, CableSession> live) {
        Optional<CachedSession> cached = broker.restoreSession(previousSid);
        if (cached.isPresent()) {
            return cached;
        }
        CableSession session = live.apply(previousSid);
        return session == null ? Optional.empty() : Optional.of(snapshot(session));
    }

    static CachedSession snapshot(CableSession session) {
        Map<String, StreamSpec> subscriptions = new LinkedHashMap<>();
        session.subscriptions().forEach((identifier, subscription) -> subscriptions.put(identifier, subscription.spec()));
        return new CachedSession(session.identifiers(), subscriptions, session.heardAt());
    }

    /** The identifiers of a connection that presented none ({@link dev.jcable.identity.Authenticator}). */
    private static String anonymous(String sid) {
        return "{\"sid\":" + JsonText.quote(sid) + "}";
    }

    private static boolean sameJson(String a, String b) {
        if (a == null || b == null) {
            return false;
        }
        try {
            return JsonText.parse(a).equals(JsonText.parse(b));
        } catch (JsonException e) {
            return a.equals(b);
        }
    }
}
