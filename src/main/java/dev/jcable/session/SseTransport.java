package dev.jcable.session;

import dev.jcable.protocol.JsonText;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * How an SSE connection's frames leave: as server-sent events ({@link SseFrames}) on an asynchronous servlet
 * response, written with non-blocking I/O, so that no thread ever waits on a client. Behind the session's outbox like
 * any transport: one write at a time, {@code ws_max_pending_size} bounding what waits, a reader too slow cut off.
 *
 * <p>The response is not committed until the connection's fate is known, so that a refusal is an HTTP status, as
 * AnyCable answers: frames are held until {@code confirm_subscription} (then 200 and everything held), or a
 * {@code reject_subscription} or {@code disconnect} (401; 503 for {@code server_restart}), or a close (500).
 */
public final class SseTransport implements Transport, WriteListener {

    private static final Logger LOG = Logger.getLogger(SseTransport.class.getName());
    /** Frames held before the decision: a welcome, some pings; more means something is wrong. */
    static final int MAX_HELD = 64;

    private enum State { PENDING, OPEN, DONE }

    private final AsyncContext async;
    private final HttpServletResponse response;
    private final Object lock = new Object();
    private final List<Frame> held = new ArrayList<>(); // guarded by lock
    private State state = State.PENDING; // guarded by lock
    private ServletOutputStream out; // guarded by lock; set when open
    private boolean ready; // guarded by lock: the container called onWritePossible once
    private byte[] bytes; // guarded by lock: the write under way, until handed to the stream
    private boolean flushing; // guarded by lock: written, its flush under way
    private SendHandler done; // guarded by lock: the completion of the write under way
    private boolean completed; // guarded by lock: the request was completed (or is being), once

    public SseTransport(AsyncContext async, HttpServletResponse response) {
        this.async = async;
        this.response = response;
    }

    @Override
    public int maxFrames() {
        return 64;
    }

    /** SSE has no ping a client answers: the {@code ping} events go out as frames; liveness is not asked. */
    @Override
    public void ping() {
    }

    @Override
    public void write(List<Frame> frames, SendHandler completion) {
        SendResult result = null;
        synchronized (lock) {
            List<Frame> toWrite = frames;
            if (state == State.PENDING) {
                result = decide(frames); // held, or refused (the frames are written as far as the outbox knows)
                toWrite = state == State.OPEN ? drainHeld() : null;
            }
            if (toWrite != null && state == State.OPEN) {
                bytes = encode(toWrite);
                done = completion;
            } else if (result == null) {
                result = state == State.PENDING ? new SendResult()
                        : new SendResult(new IOException("the event stream is closed"));
            }
        }
        if (result != null) {
            completion.onResult(result); // outside the lock: the outbox may write again from here
            return;
        }
        pump();
    }

    /**
     * Looks for the decision among {@code frames}; holds them meanwhile. Non-null: refused, report this. The frames are
     * read as JSON: an RPC application's confirmation or rejection comes with its own key order
     * ({@code {"identifier":…,"type":"confirm_subscription"}}).
     */
    private SendResult decide(List<Frame> frames) {
        for (Frame frame : frames) {
            JsonObject typed = typed(frame.text());
            switch (typed == null ? "" : typed.getString("type", "")) {
                case "confirm_subscription" -> {
                    held.addAll(frames);
                    open();
                    return null;
                }
                case "reject_subscription" -> {
                    refuse(401, "unauthorized", "the subscription was rejected");
                    return new SendResult();
                }
                case "disconnect" -> {
                    boolean restart = "server_restart".equals(typed.getString("reason", ""));
                    refuse(restart ? 503 : 401, restart ? "server_restart" : "unauthorized",
                            restart ? "the server is restarting" : "the connection was refused");
                    return new SendResult();
                }
                default -> {
                    // a welcome, a ping, a transmission before the confirmation: held
                }
            }
        }
        held.addAll(frames);
        if (held.size() > MAX_HELD) {
            refuse(503, "not_confirmed", "the subscription was not confirmed in time");
            return new SendResult(new IOException("too many frames before the subscription's answer"));
        }
        return null;
    }

    /** The frame as a JSON object with a {@code type}, or null. */
    private static JsonObject typed(String frame) {
        if (!frame.contains("\"type\"")) {
            return null;
        }
        try {
            return JsonText.parse(frame) instanceof JsonObject object ? object : null;
        } catch (JsonException e) {
            return null;
        }
    }

    private List<Frame> drainHeld() {
        List<Frame> all = new ArrayList<>(held);
        held.clear();
        return all;
    }

    /** 200, the event stream's headers, and the non-blocking stream (the container calls onWritePossible). */
    private void open() {
        state = State.OPEN;
        try {
            response.setStatus(200);
            response.setContentType("text/event-stream");
            response.setCharacterEncoding("UTF-8");
            response.setHeader("Cache-Control", "no-cache");
            response.setHeader("X-Accel-Buffering", "no"); // a proxy (nginx) must not buffer the events
            out = response.getOutputStream();
            out.setWriteListener(this);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "jcable: opening an event stream failed", e);
            if (ended()) {
                complete();
            }
        }
    }

    private void refuse(int status, String code, String message) {
        boolean complete = ended();
        held.clear();
        try {
            response.setStatus(status);
            if (status == 401) {
                response.setHeader("WWW-Authenticate", "Bearer");
            }
            response.setContentType("application/json");
            response.setCharacterEncoding("UTF-8");
            response.getOutputStream().write(("{\"error\":" + JsonText.quote(code) + ",\"message\":"
                    + JsonText.quote(message) + "}").getBytes(StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "jcable: refusing an event stream failed", e);
        }
        if (complete) {
            complete();
        }
    }

    /**
     * Ends the stream (refused with 500 if it never opened) and completes the request, also one whose write failed:
     * a request never completed stays in flight in the container for good, and Open Liberty's stop waits for it.
     * Idempotent.
     */
    public void close() {
        synchronized (lock) {
            if (state == State.PENDING) {
                refuse(500, "connect_failed", "the connection could not be opened; the server's log has the cause");
                return;
            }
            if (!ended()) {
                return;
            }
        }
        complete();
    }

    /** Under the lock: the stream is over; true for the one caller that must complete the request. */
    private boolean ended() {
        state = State.DONE;
        if (completed) {
            return false;
        }
        completed = true;
        return true;
    }

    /** Completes the request; the container then calls the AsyncListener's onComplete (SseRoom cleans up). */
    private void complete() {
        try {
            async.complete();
        } catch (IllegalStateException e) {
            LOG.log(Level.FINE, "jcable: completing an event stream", e);
        }
    }

    @Override
    public void onWritePossible() {
        synchronized (lock) {
            ready = true;
        }
        pump();
    }

    /** The container could not write (the client went): the write under way fails and the request is completed. */
    @Override
    public void onError(Throwable error) {
        SendHandler failed;
        boolean complete;
        synchronized (lock) {
            failed = done;
            done = null;
            bytes = null;
            complete = ended();
        }
        if (complete) {
            complete();
        }
        if (failed != null) {
            failed.onResult(new SendResult(error));
        }
    }

    /**
     * Advances the write under way as far as the stream lets it without blocking: write, then flush; when the
     * stream is not ready, the container calls onWritePossible later and this goes on from there.
     */
    private void pump() {
        SendHandler finished = null;
        SendResult result = null;
        boolean complete = false;
        synchronized (lock) {
            if (done == null || !ready || state != State.OPEN) {
                return;
            }
            try {
                if (bytes != null) {
                    if (!out.isReady()) {
                        return;
                    }
                    out.write(bytes);
                    bytes = null;
                    flushing = true;
                }
                if (flushing) {
                    if (!out.isReady()) {
                        return;
                    }
                    out.flush();
                    flushing = false;
                }
                if (!out.isReady()) {
                    return; // the flush is under way: onWritePossible says when it is done
                }
                result = new SendResult();
            } catch (IOException | RuntimeException e) {
                result = new SendResult(e);
                complete = ended(); // the client went: nothing more can be written, the request ends now
            }
            finished = done;
            done = null;
        }
        if (complete) {
            complete();
        }
        finished.onResult(result);
    }

    private static byte[] encode(List<Frame> frames) {
        StringBuilder text = new StringBuilder();
        for (Frame frame : frames) {
            text.append(frame.event());
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }
}
