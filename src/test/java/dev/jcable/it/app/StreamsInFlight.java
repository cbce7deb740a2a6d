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
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the asynchronous requests on {@code /events} still in flight (SseShutdownIT): started, and neither completed
 * by the application ({@code AsyncContext.complete()}) nor reported complete by the container. A request never
 * completed stays in flight for good, and Open Liberty's server stop waits its whole quiesce for it. Both ends count
 * because containers differ after a client vanished: Open Liberty calls the listener's onComplete once the room
 * completes the request, Payara Micro (Grizzly) calls nothing on a broken connection. The count, and what the
 * listeners saw, are served at {@code /test/sse-in-flight} ({@link StreamsInFlightServlet}).
 */
@WebFilter(urlPatterns = "/events", asyncSupported = true)
public class StreamsInFlight extends HttpFilter {

    static final AtomicInteger OPEN = new AtomicInteger();
    /** What happened to the streams, in order, for a failure's message. */
    static final List<String> SEEN = new CopyOnWriteArrayList<>();

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        chain.doFilter(new HttpServletRequestWrapper(request) {
            @Override
            public AsyncContext startAsync() {
                AsyncContext async = super.startAsync();
                OPEN.incrementAndGet(); // counted before the room can complete it: the listener is in place first
                SEEN.add("start");
                AtomicBoolean ended = new AtomicBoolean();
                async.addListener(new Seen(ended));
                return (AsyncContext) Proxy.newProxyInstance(getClass().getClassLoader(),
                        new Class<?>[] {AsyncContext.class}, (proxy, method, args) -> {
                            if (method.getName().equals("complete")) {
                                end(ended, "complete()");
                            }
                            try {
                                return method.invoke(async, args);
                            } catch (InvocationTargetException e) {
                                throw e.getCause();
                            }
                        });
            }
        }, response);
    }

    private static void end(AtomicBoolean ended, String how) {
        SEEN.add(how);
        if (ended.compareAndSet(false, true)) {
            OPEN.decrementAndGet();
        }
    }

    private static final class Seen implements AsyncListener {
        private final AtomicBoolean ended;

        Seen(AtomicBoolean ended) {
            this.ended = ended;
        }

        @Override
        public void onComplete(AsyncEvent event) {
            end(ended, "onComplete");
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            SEEN.add("onTimeout");
        }

        @Override
        public void onError(AsyncEvent event) {
            SEEN.add("onError " + event.getThrowable());
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
        }
    }
}
