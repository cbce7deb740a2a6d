package dev.jcable.bench.bare;

import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnOpen;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The container's own ceiling: a bare broadcaster with no protocol and no broker. It keeps the open sessions;
 * {@link BareBroadcastServlet} sends a POSTed body to all of them. Greets each client with {@code {"hello":1}} so the
 * load generator knows it is registered.
 */
@ServerEndpoint("/ws")
public class BareEndpoint {

    static final Set<Session> SESSIONS = ConcurrentHashMap.newKeySet();

    @OnOpen
    public void open(Session session) {
        SESSIONS.add(session);
        session.getAsyncRemote().sendText("{\"hello\":1}", result -> { });
    }

    @OnClose
    public void close(Session session) {
        SESSIONS.remove(session);
    }

    @OnError
    public void error(Session session, Throwable error) {
        SESSIONS.remove(session);
    }
}
