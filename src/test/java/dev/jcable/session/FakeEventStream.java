package dev.jcable.session;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An asynchronous servlet response for {@link SseTransport} in unit tests: a non-blocking output stream whose writes
 * land in memory, ready unless the test says otherwise; the container's first onWritePossible comes at once.
 */
public final class FakeEventStream extends ServletOutputStream {

    final ByteArrayOutputStream written = new ByteArrayOutputStream();
    public volatile boolean ready = true;
    /** When set, every write throws it (the client went: broken pipe). */
    public volatile java.io.IOException broken;
    WriteListener listener;
    int flushes;
    /** What the response was told: status, type, headers. */
    public final Map<String, Object> response = new ConcurrentHashMap<>();
    public final AtomicInteger completed = new AtomicInteger();
    /** Runs when the transport completes the request (a container then calls the AsyncListener's onComplete). */
    public volatile Runnable onComplete = () -> { };
    public final SseTransport transport;
    private final boolean autoReady;

    /** @param autoReady call onWritePossible as soon as the listener is set (a container does) */
    public FakeEventStream(boolean autoReady) {
        this.autoReady = autoReady;
        AsyncContext async = (AsyncContext) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {AsyncContext.class}, (proxy, method, args) -> {
                    if (method.getName().equals("complete")) {
                        completed.incrementAndGet();
                        onComplete.run();
                    }
                    return null;
                });
        HttpServletResponse servlet = (HttpServletResponse) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {HttpServletResponse.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getOutputStream" -> this;
                    case "setStatus" -> response.put("status", args[0]);
                    case "setContentType" -> response.put("type", args[0]);
                    case "setHeader" -> response.put((String) args[0], args[1]);
                    default -> null;
                });
        transport = new SseTransport(async, servlet);
    }

    @Override
    public boolean isReady() {
        return ready;
    }

    @Override
    public void setWriteListener(WriteListener listener) {
        this.listener = listener;
        if (autoReady) {
            try {
                listener.onWritePossible();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    @Override
    public synchronized void write(int b) throws java.io.IOException {
        if (broken != null) {
            throw broken;
        }
        written.write(b);
    }

    @Override
    public synchronized void write(byte[] bytes, int offset, int length) throws java.io.IOException {
        if (broken != null) {
            throw broken;
        }
        written.write(bytes, offset, length);
    }

    @Override
    public void flush() {
        flushes++;
    }

    /** Everything written so far. */
    public synchronized String text() {
        return written.toString(StandardCharsets.UTF_8);
    }
}
