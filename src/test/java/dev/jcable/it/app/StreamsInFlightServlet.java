package dev.jcable.it.app;

import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * {@code GET /test/sse-in-flight}: how many event streams the container holds in flight ({@link StreamsInFlight}),
 * then what their listeners were told.
 */
@WebServlet("/test/sse-in-flight")
public class StreamsInFlightServlet extends HttpServlet {

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("text/plain");
        response.getWriter().write(StreamsInFlight.OPEN.get() + "\n" + StreamsInFlight.SEEN);
    }
}
