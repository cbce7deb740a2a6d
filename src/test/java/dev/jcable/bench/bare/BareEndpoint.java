package dev.jcable.bench.bare;

import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnOpen;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The container's own ceiling: the least a correct broadcaster does, with no protocol and no broker. It keeps the
 * open sessions, each with a FIFO of frames sent one at a time with the async remote (Open Liberty refuses a second
 * async send while one is in flight, so a broadcaster that does not queue loses frames there);
 * {@link BareBroadcastServlet} queues a POSTed body to all of them. Greets each client with {@code {"hello":1}} so the
 * load generator knows it is registered.
 */
@ServerEndpoint("/ws")
public class BareEndpoint {

    static final Map<Session, Outbox> SESSIONS = new ConcurrentHashMap<>();

    @OnOpen
    public void open(Session session) {
        Outbox outbox = new Outbox(session);
        SESSIONS.put(session, outbox);
        outbox.send("{\"hello\":1}");
    }

    @OnClose
    public void close(Session session) {
        SESSIONS.remove(session);
    }

    @OnError
    public void error(Session session, Throwable error) {
        SESSIONS.remove(session);
    }

    /** One session's frames, one async send in flight. */
    static final class Outbox implements SendHandler {
        /** set while this thread pumps: a send that completes inline must not recurse into another pump */
        private static final ThreadLocal<Boolean> PUMPING = ThreadLocal.withInitial(() -> false);

        private final Session session;
        private final Queue<String> queue = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean sending = new AtomicBoolean();

        Outbox(Session session) {
            this.session = session;
        }

        void send(String text) {
            queue.add(text);
            pump();
        }

        @Override
        public void onResult(SendResult result) {
            sending.set(false);
            if (result.isOK()) {
                pump();
            } else {
                queue.clear();
            }
        }

        private void pump() {
            if (PUMPING.get()) {
                return; // the pump further up this thread's stack sends the next frame
            }
            PUMPING.set(true);
            try {
                while (!queue.isEmpty() && sending.compareAndSet(false, true)) {
                    String next = queue.poll();
                    if (next == null) {
                        sending.set(false);
                    } else {
                        session.getAsyncRemote().sendText(next, this);
                    }
                }
            } finally {
                PUMPING.set(false);
            }
        }
    }
}
