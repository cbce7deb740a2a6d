package dev.jcable.bench.bare;

import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.websocket.SendHandler;
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** POST /broadcast: the body, as is, to every open session with the container's async send (jcable's style). */
@WebServlet("/broadcast")
public class BareBroadcastServlet extends HttpServlet {

    private static final SendHandler IGNORE = result -> { };

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String body = new String(req.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        for (Session session : BareEndpoint.SESSIONS) {
            if (session.isOpen()) {
                session.getAsyncRemote().sendText(body, IGNORE);
            }
        }
        resp.setStatus(201);
    }
}
