package dev.jcable.http;

import dev.jcable.sse.SseRoom;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Server-sent events at {@code sse_path} (docs/sse.md), an asynchronous servlet: the request goes to the
 * {@link SseRoom}, which answers it later from the connection's lane; this thread never waits.
 */
public class SseServlet extends HttpServlet {

    private final SseRoom room;

    SseServlet(SseRoom room) {
        this.room = room;
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        SseRoom.Refusal refusal = room.open(request, response);
        if (refusal != null) {
            ApiError.write(response, refusal.status(), refusal.code(), refusal.message());
        }
    }
}
