package dev.jcable.bench;

import dev.jcable.api.Broadcaster;
import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * Benchmark-only (added to a copy of the WAR by the benchmark, never shipped): publishes {@code count} stamped
 * payloads to {@code stream} at {@code rate} per second through the injected Java API ({@link Broadcaster}), in the
 * request's thread, and answers when done. A bounded loop: at most 100,000 messages.
 */
@WebServlet("/bench/publish")
public class JavaApiPublishServlet extends HttpServlet {

    @Inject
    Broadcaster cable;

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String stream = req.getParameter("stream");
        int count = Math.min(100_000, Integer.parseInt(req.getParameter("count")));
        int rate = Math.max(1, Integer.parseInt(req.getParameter("rate")));
        int size = Integer.parseInt(req.getParameter("size"));
        long period = 1_000_000_000L / rate;
        long start = System.nanoTime();
        try {
            for (int i = 0; i < count; i++) {
                long wait = start + i * period - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                cable.broadcast(stream, Payload.make(Payload.nowMicros(), i, size));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            resp.sendError(503);
            return;
        }
        resp.setStatus(204);
    }
}
