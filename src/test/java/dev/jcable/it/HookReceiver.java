package dev.jcable.it;

import com.sun.net.httpserver.HttpServer;
import dev.jcable.testsupport.Signing;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A presence webhook receiver in the test JVM: takes every POST, checks its {@code X-Jcable-Signature} against the
 * test server's derived webhook key and answers 204. Closed by the test.
 */
final class HookReceiver implements AutoCloseable {

    private final List<String> bodies = new CopyOnWriteArrayList<>();
    private final List<String> forged = new CopyOnWriteArrayList<>();
    private final HttpServer server;

    HookReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hook", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String signature = exchange.getRequestHeaders().getFirst("X-Jcable-Signature");
            (Signing.hmacHex(Cable.WEBHOOK_SECRET, body).equals(signature) ? bodies : forged).add(body);
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    /**
     * The events of {@code stream} received so far ({@code name}, and {@code id} for members), once there are at
     * least {@code n} (or after 10 s); fails if any POST had a bad signature.
     */
    List<String> events(String stream, int n) throws InterruptedException {
        long until = System.currentTimeMillis() + 10_000;
        List<String> events = List.of();
        while ((events = parse(stream)).size() < n && System.currentTimeMillis() < until) {
            Thread.sleep(20); // poll interval of the condition
        }
        if (!forged.isEmpty()) {
            throw new AssertionError("webhook POSTs with a bad signature: " + forged);
        }
        return events;
    }

    private List<String> parse(String stream) {
        return bodies.stream()
                .flatMap(body -> Json.createReader(new StringReader(body)).readObject().getJsonArray("events")
                        .getValuesAs(JsonObject.class).stream())
                .filter(event -> event.getString("stream").equals(stream))
                .map(event -> event.getString("name") + (event.containsKey("id") ? " " + event.getString("id") : "")
                        + (event.containsKey("seq") ? " #" + event.getJsonNumber("seq").longValue() : ""))
                .toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
