package dev.jcable.session;

import dev.jcable.metrics.Counter;
import dev.jcable.protocol.Codec;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The state of one connection (WebSocket, or server-sent events: docs/sse.md): its {@code sid}, protocol,
 * subscriptions, bounded outbound queue and {@link Lane}. Inbound frames arrive one at a time (the container
 * serialises them per connection) and their commands run on the lane, as does the cleanup after any close; outbound
 * frames may be offered from any thread.
 */
public final class CableSession implements Outbox.Owner {

    private static final Logger LOG = Logger.getLogger(CableSession.class.getName());
    public static final String EXT_PROTOCOL = "actioncable-v1-ext-json";

    /** Returned by {@link #assemble} for a frame over {@code max_message_size}. */
    public static final String TOO_LARGE = new String("<too large>");

    private final String sid;
    private final Session socket; // null for server-sent events, which have their own transport
    private final SseTransport sse;
    private final Map<String, List<String>> parameters; // SSE's query (a socket shows its own)
    private final boolean extended;
    private final SessionHost executor;
    private final Outbox outbox;
    private final Lane lane;
    // sized for a few subscriptions (it grows): the default's table of 16 costs every connection 48 bytes more
    private final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>(2);
    // Flags behind static updaters and a map made on first use, not Atomic* objects and an empty map: one session
    // lives for every connection, and those would cost about 110 bytes more each (issue 26: memory per connection).
    private static final AtomicIntegerFieldUpdater<CableSession> BAD_FRAME_REPORTED =
            AtomicIntegerFieldUpdater.newUpdater(CableSession.class, "badFrameReported");
    private static final AtomicIntegerFieldUpdater<CableSession> OVERSIZED_REPORTED =
            AtomicIntegerFieldUpdater.newUpdater(CableSession.class, "oversizedReported");
    private static final AtomicIntegerFieldUpdater<CableSession> DISCONNECTING =
            AtomicIntegerFieldUpdater.newUpdater(CableSession.class, "disconnecting");
    private static final AtomicReferenceFieldUpdater<CableSession, HeldFrames> HELD =
            AtomicReferenceFieldUpdater.newUpdater(CableSession.class, HeldFrames.class, "held");
    private volatile int badFrameReported;
    private volatile int oversizedReported;
    private volatile int disconnecting; // 1 once a disconnect or a failed write started the way out
    /** Subscriptions whose live messages wait behind their history; null until the first {@link #hold}. */
    private volatile HeldFrames held;
    private volatile String identifiers;
    private volatile Dialect dialect = Dialect.ANYCABLE;
    /** The container login's roles among those the application names (read at the handshake). */
    private volatile java.util.Set<String> roles = java.util.Set.of();
    // liveness (see Liveness): when the client last sent anything, and when the oldest ping since then went out
    private volatile long inboundAt;
    private volatile long presenceLostSince;
    private volatile long protocolPingedAt;
    private volatile long applicationPingedAt;
    private volatile boolean sendsPongs;
    private volatile CloseReason leaving;
    private final FrameAssembler assembler = new FrameAssembler();
    private final Object bucket = new Object(); // the command rate limit's (take())
    private double tokens = -1; // guarded by bucket
    private long tokensAt; // guarded by bucket

    /**
     * @param maxPendingChars characters waiting to be written beyond which the client is too slow
     * @param maxFrameChars   the largest frame jcable builds; a larger one is dropped (see {@link Outbox})
     */
    public CableSession(String sid, Session socket, long maxPendingChars, long maxFrameChars, SessionHost executor,
                        Transports transports) {
        this(sid, socket, maxPendingChars, maxFrameChars, executor, transports.open(socket));
    }

    CableSession(String sid, Session socket, long maxPendingChars, long maxFrameChars, SessionHost executor,
                 Transport transport) {
        this(sid, socket, null, null, maxPendingChars, maxFrameChars, executor, transport);
    }

    /** A server-sent events connection (docs/sse.md): frames leave as events on {@code sse}; no frame comes in. */
    public CableSession(String sid, SseTransport sse, Map<String, List<String>> parameters, long maxPendingChars,
                        long maxFrameChars, SessionHost executor) {
        this(sid, null, sse, Map.copyOf(parameters), maxPendingChars, maxFrameChars, executor, sse);
    }

    private CableSession(String sid, Session socket, SseTransport sse, Map<String, List<String>> parameters,
                         long maxPendingChars, long maxFrameChars, SessionHost executor, Transport transport) {
        this.sid = sid;
        this.socket = socket;
        this.sse = sse;
        this.parameters = parameters;
        this.extended = socket != null && EXT_PROTOCOL.equals(socket.getNegotiatedSubprotocol());
        this.executor = executor;
        this.outbox = new Outbox(transport, maxPendingChars, maxFrameChars, this);
        this.lane = executor.lane();
    }

    /** Where everything that concerns this connection runs, in order ({@link Lane}). */
    public Lane lane() {
        return lane;
    }

    public String sid() {
        return sid;
    }

    public boolean extended() {
        return extended;
    }

    /** The WebSocket; null for server-sent events, whose clients send nothing (liveness cannot ask them). */
    public Session socket() {
        return socket;
    }

    /** The connection request's query parameters. */
    public Map<String, List<String>> parameters() {
        return socket == null ? parameters : socket.getRequestParameterMap();
    }

    /** The connection identifiers (JSON text): a token's {@code ext}, or {@code {"sid":…}}. */
    public String identifiers() {
        return identifiers;
    }

    public void identifiers(String identifiers) {
        this.identifiers = identifiers;
    }

    /** How this connection's frames look: AnyCable's unless another protocol's room set its own on open. */
    public Dialect dialect() {
        return dialect;
    }

    public void dialect(Dialect dialect) {
        this.dialect = dialect;
    }

    /** The container login's roles of this connection, among those the application names. */
    public java.util.Set<String> roles() {
        return roles;
    }

    public void roles(java.util.Set<String> roles) {
        this.roles = java.util.Set.copyOf(roles);
    }

    public Map<String, Subscription> subscriptions() {
        return subscriptions;
    }

    /** Queues a frame without blocking; false if the session is closing or its queue just overflowed. */
    public boolean send(String frame) {
        return outbox.offer(new Frame(frame));
    }

    /** Queues a frame shared with other sessions (a broadcast, a ping): encoded once for all of them. */
    public boolean send(Frame frame) {
        return outbox.offer(frame);
    }

    /**
     * Delivers a stream message to one of this session's subscriptions. While that subscription's history is
     * pending ({@link #hold}), live messages wait behind it, so the client sees its stream's offsets in order.
     */
    public boolean deliver(String identifier, Frame frame) {
        HeldFrames held = this.held;
        return held != null && held.offer(identifier, frame) || send(frame);
    }

    /** Live messages for {@code identifier} wait until {@link #release} (history is being served first). */
    public void hold(String identifier) {
        if (held == null) {
            HELD.compareAndSet(this, null, new HeldFrames()); // two first holds racing: both use the winner's
        }
        held.hold(identifier);
    }

    /** Sends what waited for {@code identifier}, after whatever was sent before this call ({@link HeldFrames}). */
    public void release(String identifier) {
        HeldFrames held = this.held;
        if (held != null) {
            held.release(identifier, outbox::offer);
        }
    }

    /** Forgets what waited for {@code identifier} (it was unsubscribed). */
    public void discard(String identifier) {
        HeldFrames held = this.held;
        if (held != null) {
            held.discard(identifier);
        }
    }

    public long pendingChars() {
        return outbox.pendingChars();
    }

    // ---- liveness ---------------------------------------------------------------------------------

    /** A frame arrived from the client at {@code now} (epoch millis): text, or a WebSocket pong. */
    public void received(long now) {
        inboundAt = now;
    }

    /**
     * When the client was last known to have everything it was sent about presence: the last frame that arrived
     * from it (epoch millis, 0 before the first), or earlier if presence events of its streams were lost on the way
     * to this node ({@link #presenceLostSince}).
     */
    public long heardAt() {
        long lost = presenceLostSince;
        return lost == 0 ? inboundAt : Math.min(inboundAt, lost);
    }

    /** Presence events of one of its streams were lost before reaching it, from {@code since} (epoch millis). */
    public void presenceLostSince(long since) {
        presenceLostSince = presenceLostSince == 0 ? since : Math.min(presenceLostSince, since);
    }

    /** The client sent {@code {"command":"pong"}}: it answers JSON pings, so they can tell whether it is alive. */
    public void sendsPongs() {
        sendsPongs = true;
    }

    /** Queues a JSON ping ({@link Pinger}); the first one since the client last spoke starts its wait for an answer. */
    void applicationPing(Frame frame, long now) {
        if (send(frame) && applicationPingedAt <= inboundAt) {
            applicationPingedAt = now;
        }
    }

    /**
     * Writes a WebSocket ping unless a write is in flight ({@link Liveness}) or, {@code asFrame}, unless it is a frame
     * of the writes (never blocking); the first since the client spoke starts its wait, noted before the write.
     */
    boolean protocolPing(long now, boolean asFrame) {
        if (sse != null || asFrame && !outbox.writesPings()) {
            return false; // an event stream's client answers nothing: only its writes' progress is watched
        }
        long before = protocolPingedAt;
        boolean outstanding = before > inboundAt;
        if (!outstanding) {
            protocolPingedAt = now;
        }
        if (!outbox.ping()) {
            protocolPingedAt = before;
            return false;
        }
        return true;
    }

    /**
     * Since when the client owes an answer: the oldest ping since it last spoke ({@code protocol} ones, or JSON ones
     * if it sends pongs), or 0 when it owes none.
     */
    long unansweredSince(boolean protocol) {
        if (sse != null) {
            return 0; // never asked anything (protocolPing); its ping events count as writes
        }
        long inbound = inboundAt;
        long pinged = protocol ? protocolPingedAt : sendsPongs ? applicationPingedAt : 0;
        return pinged > inbound ? pinged : 0;
    }

    long inboundAt() {
        return inboundAt;
    }

    boolean writing() {
        return outbox.writing();
    }

    long writesCompleted() {
        return outbox.writesCompleted();
    }

    /** Joins the parts of a fragmented text message ({@link FrameAssembler#assemble}). */
    public String assemble(String part, boolean last, int max) {
        return assembler.assemble(part, last, max);
    }

    /**
     * Takes {@code cost} tokens from this connection's bucket ({@code burst} at once, refilled at {@code perSecond});
     * false when fewer are left. Locked: the container's thread and the lane both take (node.CommandRate).
     */
    public boolean take(long nowNanos, double perSecond, double burst, double cost) {
        synchronized (bucket) {
            tokens = tokens < 0 ? burst : Math.min(burst, tokens + (nowNanos - tokensAt) * perSecond / 1e9);
            tokensAt = nowNanos;
            if (tokens < cost) {
                return false;
            }
            tokens -= cost;
            return true;
        }
    }

    /** True the first time only: bad input is logged at WARNING once per connection, then at FINE. */
    public boolean firstBadFrame() {
        return BAD_FRAME_REPORTED.compareAndSet(this, 0, 1);
    }

    /** Sends {@code {"type":"disconnect",…}} as the last frame, then closes the socket with {@code code}. */
    public void disconnect(String reason, boolean reconnect, CloseReason.CloseCode code, String closePhrase) {
        if (DISCONNECTING.compareAndSet(this, 0, 1)) {
            Counter.Disconnects.count(reason);
            leaving = new CloseReason(code, closePhrase);
            outbox.finish(new Frame(dialect.goodbye(reason, reconnect)), leaving, "too_slow".equals(reason));
            executor.disconnecting(this);
        }
    }

    public boolean disconnecting() {
        return disconnecting != 0;
    }

    @Override
    public void overflow() {
        LOG.warning(() -> "jcable: session " + sid + " cannot keep up (" + outbox.pendingChars()
                + " chars queued); disconnecting it as too_slow");
        offThread(() -> disconnect("too_slow", true, CloseReason.CloseCodes.NORMAL_CLOSURE, "Too slow"));
    }

    @Override
    public void oversized(int size) {
        if (OVERSIZED_REPORTED.compareAndSet(this, 0, 1)) {
            LOG.warning(() -> "jcable: dropped a frame of " + size + " characters for session " + sid
                    + ": larger than any jcable builds (later ones are dropped silently)");
        }
    }

    /** 1011: the server could not write (1006, "closed abnormally", is reserved and never sent on the wire). */
    @Override
    public void sendFailed(Throwable cause) {
        LOG.log(Level.FINE, "jcable: write to session " + sid + " failed; closing it", cause);
        CloseReason failed = new CloseReason(CloseReason.CloseCodes.UNEXPECTED_CONDITION, "Write failed");
        if (DISCONNECTING.compareAndSet(this, 0, 1)) {
            Counter.Disconnects.count("write_failed");
            // The host cleans up after the grace if the container never reports this close: Open Liberty writes
            // the close frame synchronously, and when that write fails too (a dropped peer: broken pipe) it never
            // calls the endpoint's onClose, so the member's presence would never leave.
            leaving = failed;
            executor.disconnecting(this);
        }
        offThread(() -> close(failed));
    }

    @Override
    public void drained(CloseReason reason) {
        offThread(() -> close(reason));
    }

    /**
     * Runs {@code task} on the host's executor, or here when the executor refuses it (undeploy, saturation): these
     * callbacks run inside whoever offered a frame, often a broker fan-out, which must never see the refusal.
     */
    private void offThread(Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            LOG.log(Level.FINE, "jcable: executor refused a task of session " + sid + "; running it inline", e);
            task.run();
        }
    }

    /** Closes now with {@code reason}, sending nothing before it (the connection was never welcomed). */
    public void closeNow(CloseReason reason) {
        if (DISCONNECTING.compareAndSet(this, 0, 1)) {
            leaving = reason;
            close(reason);
        }
    }

    /** Closes the socket now, with the reason of the disconnect under way, without waiting for queued frames. */
    public void forceClose() {
        CloseReason reason = leaving;
        close(reason != null ? reason : new CloseReason(CloseReason.CloseCodes.NORMAL_CLOSURE, "Closed"));
    }

    private void close(CloseReason reason) {
        if (sse != null) {
            sse.close();
            return;
        }
        try {
            if (socket.isOpen()) {
                socket.close(reason);
            }
        } catch (IOException | IllegalStateException e) {
            LOG.log(Level.FINE, "jcable: closing session " + sid, e);
        }
    }
}
