package dev.jcable.bench;

import dev.jcable.api.Broadcaster;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/**
 * Benchmark-only (added to a copy of the WAR by the benchmark, never shipped): publishes {@code count} payloads to
 * {@code stream} at {@code rate} per second through the injected Java API ({@link Broadcaster}), on the same
 * fixed schedule as the HTTP publisher ({@link Schedule}): each payload is stamped with its scheduled time, each
 * {@code broadcast} call runs as a task of the server's default managed executor, at most {@code inflight} at once.
 * Answers, once done, with the publisher's report ({@link Schedule.Report#toWire()}). Bounded: at most 100,000
 * messages, at most 1,000 in flight.
 */
@WebServlet("/bench/publish")
public class JavaApiPublishServlet extends HttpServlet {

    @Inject
    Broadcaster cable;

    @Resource
    ManagedExecutorService executor;

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String stream = req.getParameter("stream");
        int count = Math.min(100_000, Integer.parseInt(req.getParameter("count")));
        int rate = Math.max(1, Integer.parseInt(req.getParameter("rate")));
        int size = Integer.parseInt(req.getParameter("size"));
        int inFlight = Math.max(1, Math.min(1000, Integer.parseInt(req.getParameter("inflight"))));
        Schedule.Report report;
        try {
            report = Schedule.atRate(rate, count, inFlight, 100).run((seq, scheduledMicros) ->
                    CompletableFuture.runAsync(() -> cable.broadcast(stream, Payload.make(scheduledMicros, seq, size)),
                            executor), 30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            resp.sendError(503);
            return;
        }
        resp.setContentType("text/plain");
        resp.getWriter().println(report.toWire());
    }
}
