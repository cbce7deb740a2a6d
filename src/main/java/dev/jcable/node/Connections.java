package dev.jcable.node;

import dev.jcable.broker.Broker;
import dev.jcable.config.CableConfig;
import dev.jcable.events.Notifier;
import dev.jcable.identity.Handshake;
import dev.jcable.identity.HandshakeHeaders;
import dev.jcable.identity.HandshakeRequest;
import dev.jcable.metrics.Counter;
import dev.jcable.protocol.Codec;
import dev.jcable.protocol.Command;
import dev.jcable.protocol.ProtocolException;
import dev.jcable.session.CableSession;
import dev.jcable.session.Dialect;
import dev.jcable.session.Frame;
import dev.jcable.session.Lane;
import dev.jcable.session.Liveness;
import dev.jcable.session.Pinger;
import dev.jcable.session.SessionHost;
import dev.jcable.session.Transports;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The connection lifecycle: open, frames, and the cleanup after every kind of close (by the container, by
 * liveness, after the goodbye's grace, at undeploy). Everything of one connection runs on its {@link Lane}: a command
 * never runs beside the connection's cleanup, and one that reaches the lane after the close began is refused. The
 * container's thread only assembles frames and counts them against the rate limit ({@link CommandRate}); it runs a
 * step itself only when the lane is idle and inline ({@code broker=memory}: no step waits on a backend).
 */
final class Connections {

    private static final Logger LOG = Logger.getLogger(Connections.class.getName());
    private static final String SESSION_KEY = "jcable.session";

    /** What the lifecycle needs of the node (built once the node's parts are). */
    record Parts(CableConfig config, Transports transports, Admission admission, Broker broker, Commands commands,
                 Restorer restorer, CommandRate rate, Pinger pinger, Liveness liveness, Notifier notifier, OneShots oneShots,
                 NodeMetrics metrics, RpcChannels rpc, Executor lanes, boolean inlineLanes) {
    }

    private final Parts parts;
    private final CableConfig config;
    private final Map<String, CableSession> sessions;
    /** The open connections by identifiers, for remote disconnects. */
    private final ConnectionIndex byIdentifiers = new ConnectionIndex();
    private final SecureRandom random = new SecureRandom();
    private volatile boolean stopped;
    private volatile CountDownLatch shutdown;
    private final SessionHost host;

    /** @param sessions the registry this lifecycle keeps (empty; the node's metrics read it) */
    Connections(Parts parts, Map<String, CableSession> sessions) {
        this.parts = parts;
        this.config = parts.config();
        this.sessions = sessions;
        this.host = new SessionHost() {
            @Override
            public void execute(Runnable task) {
                parts.lanes().execute(task);
            }

            /**
             * A disconnect frame waits behind whatever the client has not read. A client that stopped reading never
             * lets it out, and some containers (Tyrus on Grizzly) never time that write out, so after
             * ws_write_timeout (at least 1 s) the socket is closed anyway and the session cleaned up (both do nothing
             * if that happened meanwhile; a dead session is cleaned up at once, before its goodbye, see dead()).
             */
            @Override
            public void disconnecting(CableSession session) {
                long grace = Math.max(1000, config.wsWriteTimeout().toMillis());
                parts.oneShots().schedule(() -> forceClose(session), grace);
            }

            @Override
            public Lane lane() {
                return new Lane(parts.lanes(), parts.inlineLanes());
            }
        };
    }

    SessionHost host() {
        return host;
    }

    /** The open sessions (welcomed, not yet cleaned up); a live view. */
    Collection<CableSession> sessions() {
        return sessions.values();
    }

    CableSession session(String sid) {
        return sessions.get(sid);
    }

    int count() {
        return sessions.size();
    }

    /** The open connections with these identifiers (JSON text), for a remote disconnect. */
    List<CableSession> withIdentifiers(String identifiers) {
        return byIdentifiers.find(identifiers);
    }

    // ---- the container's callbacks ------------------------------------------------------------------

    public void open(Session socket) {
        CableSession session = newSession(socket, newSid(), Dialect.ANYCABLE);
        HandshakeHeaders.Taken taken = HandshakeHeaders.takeAll(socket.getUserProperties());
        session.roles(taken.login().roles());
        Map<String, List<String>> query = socket.getRequestParameterMap();
        // read while the handshake's request lasts
        String url = parts.rpc() == null ? null : RpcEnvs.url(socket, taken.headers());
        // the first step of the lane: every frame of the connection runs after it (a restore may call the broker, an
        // RPC Connect the application: the lane holds the frames back until it is answered, no thread waits)
        session.lane().offerAlwaysAsync(() -> admit(session, taken, query, url));
    }

    /**
     * Opens a server-sent events connection (docs/sse.md): identified as a WebSocket one is (token, the application's
     * identifier, RPC Connect) and welcomed, then {@code subscribe} (its one subscription) as the lane's next step.
     */
    void openSse(CableSession session, HandshakeHeaders.Taken taken, String url, Command subscribe) {
        Map<String, List<String>> query = session.parameters();
        session.lane().offerAlwaysAsync(() -> admit(session, taken, query, url));
        session.lane().offerAlwaysAsync(() -> session.disconnecting() || sessions.get(session.sid()) != session ? null
                : parts.commands().handle(session, subscribe));
    }

    /**
     * Opens a connection of another protocol (a room: dev.jcable.pusher) as its first step on the lane: a session
     * with that protocol's {@link Dialect}, under the same registry, liveness, pings ({@code pingMillis}, the
     * dialect's own ping frame), shutdown and clean-up as AnyCable's; then {@code opened} (the room's welcome),
     * unless the node is draining (the connection was told so and closes).
     */
    void openRoom(Session socket, String sid, Dialect dialect, String identifiers, long pingMillis,
                  Consumer<CableSession> opened) {
        CableSession session = newSession(socket, sid, dialect);
        session.lane().offerAlways(() -> {
            session.identifiers(identifiers);
            sessions.put(sid, session);
            if (stopped) {
                session.disconnect("server_restart", true, CloseReason.CloseCodes.GOING_AWAY, "Server restart");
                return;
            }
            parts.pinger().add(session, pingMillis, "s");
            parts.liveness().add(session);
            parts.metrics().opened(session);
            parts.notifier().opened(sid, identifiers);
            opened.accept(session);
        });
    }

    /** A session for {@code socket}, known to the socket; not yet registered. */
    private CableSession newSession(Session socket, String sid, Dialect dialect) {
        CableSession session = new CableSession(sid, socket, config.wsMaxPendingSize(), config.maxFrameSize(), host,
                parts.transports());
        session.dialect(dialect);
        socket.getUserProperties().put(SESSION_KEY, session);
        // No container send timeout: Undertow's closes only the frame being written when it expires, leaving the
        // connection open and stuck behind the half-written frame (a stalled client on WildFly was never closed),
        // and Tyrus does not enforce one. A client that stops reading fills its queue and is cut off as too_slow;
        // the goodbye's own bound is the grace in disconnecting() above.
        socket.getAsyncRemote().setSendTimeout(0);
        // jcable finds dead peers itself (Liveness: WebSocket pings, pong_timeout) and cuts off clients that stop
        // reading; the container's idle timeout adds nothing. (With 0 Tyrus still schedules an idle task per frame
        // sent, ping, pong and message received — eclipse-ee4j/tyrus#487; jcable's Tyrus transport sends past it and
        // gives the session a scheduler that skips those tasks while the timeout is off: session.TyrusIdleScheduler.)
        socket.setMaxIdleTimeout(0);
        return session;
    }

    /** Identifies the connection (a token, the application's identifier, or its RPC Connect), then welcomes it. */
    private CompletionStage<?> admit(CableSession session, HandshakeHeaders.Taken taken,
                                     Map<String, List<String>> query, String url) {
        Map<String, List<String>> headers = taken.headers();
        Handshake handshake = Handshake.of(headers, query, config.jwtParam());
        RpcChannels rpc = parts.rpc();
        if (rpc != null && handshake.token() == null) {
            // the application identifies the connection (a JWT does without a call, as in anycable-go): the
            // welcome waits for its answer, and what the client sends meanwhile waits on the connection's lane
            sessions.put(session.sid(), session);
            rpc.open(session, url, RpcEnvs.headers(headers, config.rpc(), taken.remoteAddress()));
            return rpc.connect(session, () -> welcome(session, handshake, query));
        }
        String identifiers = parts.admission().admit(session, handshake.token(),
                new HandshakeRequest.Parts(headers, query, taken.login()));
        if (identifiers == null) {
            Counter.FAILED_AUTHS.increment(); // refused by the JWT check or the application's identifier
            return null;
        }
        session.identifiers(identifiers);
        sessions.put(session.sid(), session);
        if (rpc != null) {
            rpc.open(session, url, RpcEnvs.headers(headers, config.rpc(), taken.remoteAddress()));
            rpc.connected(session);
        }
        welcome(session, handshake, query);
        return null;
    }

    /** The connection is identified: welcomed (or restored), pinged, watched, announced. */
    private void welcome(CableSession session, Handshake handshake, Map<String, List<String>> query) {
        if (stopped) {
            // opened while disconnectAll() took its snapshot of the sessions, or after it: told the same, never stranded
            session.disconnect("server_restart", true, CloseReason.CloseCodes.GOING_AWAY, "Server restart");
            return;
        }
        if (!parts.restorer().restore(session, handshake, sessions::get)) {
            session.send(Codec.welcome(session.sid()));
        }
        byIdentifiers.add(session); // its identifiers are final now (a restore may have set them)
        parts.pinger().add(session, PingParameters.interval(query, config.pingInterval().toMillis()),
                PingParameters.precision(query, config.pingTimestampPrecision()));
        parts.liveness().add(session); // an SSE client answers nothing: for it only its writes' progress counts
        parts.metrics().opened(session); // with its final identifiers: after a restore
        parts.notifier().opened(session.sid(), session.identifiers());
    }

    /** An AnyCable frame: one client command ({@link Commands}). */
    public void receive(Session socket, String part, boolean last) {
        receive(socket, part, last, (session, frame) -> parts.commands().handle(session, Codec.decode(frame)));
    }

    /** What a room does with a whole frame, on the connection's lane; a stage it returns holds the lane's next step. */
    @FunctionalInterface
    interface FrameHandler {
        CompletionStage<?> handle(CableSession session, String frame) throws ProtocolException;
    }

    /**
     * Takes a part of a text frame from {@code socket}; a whole one within {@code max_message_size} and the command
     * rate limit goes to {@code handler} on the connection's lane (every room's frames come in here).
     */
    void receive(Session socket, String part, boolean last, FrameHandler handler) {
        CableSession session = session(socket);
        if (session == null || session.disconnecting()) {
            return;
        }
        session.received(System.currentTimeMillis()); // any frame, even one dropped below, shows the client is there
        String frame = session.assemble(part, last, config.maxMessageSize());
        if (frame == null) {
            return;
        }
        Counter.CLIENT_MSG.increment();
        if (frame == CableSession.TOO_LARGE) {
            BadFrames.report(session, "frame larger than max_message_size (" + config.maxMessageSize() + ")");
            return;
        }
        Counter.DATA_RCVD.add(Frame.utf8Length(frame));
        if (!parts.rate().allows(session)) {
            return;
        }
        if (!session.lane().offerAsync(() -> command(session, frame, handler))) {
            CommandRate.exceeded(session, "more than " + Lane.MAX_QUEUED + " commands waiting to run");
        }
    }

    /** One frame's command, on the lane; refused once the connection's close has begun. */
    private CompletionStage<?> command(CableSession session, String frame, FrameHandler handler) {
        if (session.disconnecting() || sessions.get(session.sid()) != session) {
            return null;
        }
        try {
            return handler.handle(session, frame);
        } catch (ProtocolException e) {
            BadFrames.report(session, e.getMessage());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "jcable: command failed for session " + session.sid(), e);
        }
        return null;
    }

    /** A WebSocket pong: the client answered a ping (or sent one unasked, which shows it is alive just the same). */
    public void pong(Session socket) {
        CableSession session = session(socket);
        if (session != null) {
            session.received(System.currentTimeMillis());
        }
    }

    public void close(Session socket) {
        CableSession session = session(socket);
        if (session != null) {
            closed(session);
        }
    }

    public void error(Session socket, Throwable error) {
        CableSession session = session(socket);
        LOG.log(Level.FINE, "jcable: socket error on session " + (session == null ? "?" : session.sid()), error);
    }

    // ---- closes from elsewhere --------------------------------------------------------------------

    /**
     * {@link Liveness} found the client silent past pong_timeout (an event stream: its writes stalled that long). It
     * is told {@code no_pong} ({@code too_slow} on an event stream) if it still reads, and its session is cleaned up
     * now, so its presence starts leaving at once; the socket closes when the goodbye is written, or after the
     * disconnect grace.
     */
    void dead(CableSession session) {
        if (session.socket() == null) { // an event stream is never asked anything: its writes stalled
            LOG.fine(() -> "jcable: event stream " + session.sid() + " took nothing within pong_timeout; closing it");
            session.disconnect("too_slow", true, CloseReason.CloseCodes.NORMAL_CLOSURE, "Too slow");
        } else {
            LOG.fine(() -> "jcable: session " + session.sid() + " sent nothing within pong_timeout; closing it as dead");
            session.disconnect("no_pong", true, CloseReason.CloseCodes.NORMAL_CLOSURE, "No Pong");
        }
        closed(session);
    }

    private void forceClose(CableSession session) {
        session.forceClose();
        closed(session);
    }

    /**
     * Tells every connection {@code server_restart} and waits (at most {@code flushMillis}) until each was cleaned
     * up; later opens are told the same.
     */
    int disconnectAll(long windowMillis, long flushMillis) {
        stopped = true;
        List<CableSession> open = List.copyOf(sessions.values());
        shutdown = new CountDownLatch(open.size());
        try {
            // in batches over shutdown_drain_window (at once without one); a session closed meanwhile is skipped
            Drain.run(open, windowMillis, session -> {
                if (sessions.containsKey(session.sid())) {
                    session.disconnect("server_restart", true, CloseReason.CloseCodes.GOING_AWAY, "Server restart");
                }
            }, System::nanoTime, Drain::parkUntil);
            // let the disconnect frames reach the clients before the container tears the sockets down
            shutdown.await(flushMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // the container closes WebSockets itself; an event stream whose goodbye is stuck behind a client that reads
        // nothing (its grace timer stops with the node) is completed here, or the server's stop waits for it
        open.stream().filter(session -> session.socket() == null && sessions.containsKey(session.sid()))
                .forEach(CableSession::forceClose);
        return open.size();
    }

    /** Cleans up after a closed connection, once, on its lane (after whatever command was running or waiting). */
    void closed(CableSession session) {
        session.lane().offerAlways(() -> cleanUp(session));
    }

    private void cleanUp(CableSession session) {
        if (!sessions.remove(session.sid(), session)) {
            return;
        }
        parts.metrics().closed(session);
        try {
            byIdentifiers.remove(session, session.identifiers());
            parts.pinger().remove(session);
            parts.liveness().remove(session);
            parts.commands().closed(session);
            boolean welcomed = session.identifiers() != null; // not a connection the application refused (RPC)
            if (welcomed && session.extended() && !config.sessionsTtl().isZero()) {
                parts.broker().cacheSession(session.sid(), Restorer.snapshot(session));
            }
            parts.broker().presenceDisconnected(session.sid());
            if (welcomed) {
                parts.notifier().closed(session.sid(), session.identifiers());
            }
        } finally {
            // whatever went wrong above, disconnectAll() must not wait its whole flush window for this session
            CountDownLatch closing = shutdown;
            if (closing != null) {
                closing.countDown();
            }
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private static CableSession session(Session socket) {
        Map<String, Object> properties = socket.getUserProperties();
        return properties == null ? null : (CableSession) properties.get(SESSION_KEY); // null: Liberty, once closed
    }

    String newSid() {
        byte[] bytes = new byte[15];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
