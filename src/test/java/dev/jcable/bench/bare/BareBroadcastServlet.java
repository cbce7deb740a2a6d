package dev.jcable.bench.bare;

import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** POST /broadcast: the body, as is, to every open session's outbox (the container's async send, jcable's style). */
@WebServlet("/broadcast")
public class BareBroadcastServlet extends HttpServlet {

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String body = new String(req.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        for (var e : BareEndpoint.SESSIONS.entrySet()) {
            if (e.getKey().isOpen()) {
                e.getValue().send(body);
            }
        }
        resp.setStatus(201);
    }
}
