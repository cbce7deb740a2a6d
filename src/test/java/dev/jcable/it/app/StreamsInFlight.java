package dev.jcable.it.app;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the asynchronous requests on {@code /events} the container holds in flight: started, not yet completed
 * (SseShutdownIT). A request that is never completed stays in flight for good, and Open Liberty's server stop waits
 * its whole quiesce for it. The count is served at {@code /test/sse-in-flight} ({@link StreamsInFlightServlet}).
 */
@WebFilter(urlPatterns = "/events", asyncSupported = true)
public class StreamsInFlight extends HttpFilter {

    static final AtomicInteger OPEN = new AtomicInteger();

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        chain.doFilter(new HttpServletRequestWrapper(request) {
            @Override
            public AsyncContext startAsync() {
                AsyncContext async = super.startAsync();
                OPEN.incrementAndGet(); // counted before the room can complete it: the listener is in place first
                async.addListener(new AsyncListener() {
                    @Override
                    public void onComplete(AsyncEvent event) {
                        OPEN.decrementAndGet();
                    }

                    @Override
                    public void onTimeout(AsyncEvent event) {
                    }

                    @Override
                    public void onError(AsyncEvent event) {
                    }

                    @Override
                    public void onStartAsync(AsyncEvent event) {
                    }
                });
                return async;
            }
        }, response);
    }
}
