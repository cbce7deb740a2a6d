package dev.jcable.it;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A server-sent events client on a bare socket (docs/sse.md), reading as a browser's EventSource does: one GET, the
 * answer's status and headers, then the body (chunked or not) parsed into events by the HTML standard's rules, on a
 * thread of its own. On a bare socket so that a test can also drop the connection without a word ({@link #reset}),
 * as a client that vanished does.
 */
final class SseClient implements AutoCloseable {

    /** One event: its {@code event} name ("message" when unnamed), {@code data} and {@code id} (null when none). */
    record Event(String event, String data, String id) {
    }

    private final Socket socket;
    final int status;
    final Map<String, String> headers;
    final List<Event> events = new CopyOnWriteArrayList<>();
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private volatile boolean ended;

    private SseClient(Socket socket, int status, Map<String, String> headers) {
        this.socket = socket;
        this.status = status;
        this.headers = headers;
    }

    /** GET {@code pathAndQuery} on {@code http}'s port with {@code extraHeaders}; returns once the headers arrived. */
    static SseClient open(URI http, String pathAndQuery, Map<String, String> extraHeaders) {
        try {
            Socket socket = new Socket();
            socket.connect(new InetSocketAddress("localhost", http.getPort()), 5_000);
            socket.setSoTimeout(0); // the stream may be quiet for a while; tests bound their own waits
            StringBuilder request = new StringBuilder("GET " + pathAndQuery + " HTTP/1.1\r\nHost: localhost:"
                    + http.getPort() + "\r\nAccept: text/event-stream\r\n");
            extraHeaders.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
            OutputStream out = socket.getOutputStream();
            out.write(request.append("\r\n").toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            String statusLine = line(in);
            Map<String, String> headers = new HashMap<>();
            for (String header = line(in); !header.isEmpty(); header = line(in)) {
                int colon = header.indexOf(':');
                headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        header.substring(colon + 1).trim());
            }
            SseClient client = new SseClient(socket, Integer.parseInt(statusLine.split(" ")[1]), headers);
            Thread reader = new Thread(() -> client.read(in), "sse-client");
            reader.setDaemon(true);
            reader.start();
            return client;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void read(InputStream in) {
        try {
            boolean chunked = "chunked".equalsIgnoreCase(headers.get("transfer-encoding"));
            String length = headers.get("content-length");
            StringBuilder pending = new StringBuilder();
            if (chunked) {
                for (int size = Integer.parseInt(line(in).split(";")[0].trim(), 16); size > 0;
                     size = Integer.parseInt(line(in).split(";")[0].trim(), 16)) {
                    take(pending, in.readNBytes(size));
                    line(in); // the CRLF after the chunk
                }
            } else if (length != null) {
                take(pending, in.readNBytes(Integer.parseInt(length)));
            } else {
                byte[] buffer = new byte[8192];
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    take(pending, java.util.Arrays.copyOf(buffer, n));
                }
            }
        } catch (IOException | RuntimeException e) {
            // the connection ended without the terminal chunk (reset, or closed by this test)
        } finally {
            ended = true;
        }
    }

    /** Adds bytes of the body and parses every complete event (a UTF-8 sequence may be split: events are ASCII-cut). */
    private void take(StringBuilder pending, byte[] bytes) {
        synchronized (body) {
            body.writeBytes(bytes);
        }
        pending.append(new String(bytes, StandardCharsets.UTF_8));
        int end;
        while ((end = pending.indexOf("\n\n")) >= 0) {
            String block = pending.substring(0, end);
            pending.delete(0, end + 2);
            String event = "message";
            String id = null;
            StringBuilder data = null;
            for (String field : block.split("\n")) {
                int colon = field.indexOf(':');
                String name = colon < 0 ? field : field.substring(0, colon);
                String value = colon < 0 ? "" : field.substring(colon + 1).replaceFirst("^ ", "");
                switch (name) {
                    case "event" -> event = value;
                    case "id" -> id = value;
                    case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                    default -> { } // retry, comments
                }
            }
            if (data != null) {
                events.add(new Event(event, data.toString(), id));
            }
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new java.io.EOFException("the connection ended");
            }
            line.write(b);
        }
        String text = line.toString(StandardCharsets.UTF_8);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
    }

    /** The body as it arrived (a refusal's JSON, or the raw event stream). */
    String body() {
        synchronized (body) {
            return body.toString(StandardCharsets.UTF_8);
        }
    }

    /** True once the response ended: the server completed it (or the connection broke). */
    boolean ended() {
        return ended;
    }

    /** Waits (at most {@code seconds}) for {@code condition}; fails with {@code what} and the events so far. */
    void await(String what, int seconds, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + what + " within " + seconds + " s; events " + events + ", ended "
                        + ended);
            }
            try {
                Thread.sleep(20); // polling a condition, not a fixed wait
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }

    /** The first event named {@code name}, once it arrived. */
    Event awaitEvent(String name, int seconds) {
        await("event " + name, seconds, () -> events.stream().anyMatch(e -> e.event().equals(name)));
        return events.stream().filter(e -> e.event().equals(name)).findFirst().orElseThrow();
    }

    /** Drops the connection with a reset, sending nothing more: a client that vanished. */
    void reset() {
        try {
            socket.setSoLinger(true, 0);
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closed already
        }
    }
}
