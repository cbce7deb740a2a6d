package dev.jcable.it;

import com.sun.net.httpserver.HttpServer;
import jakarta.json.Json;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A receiver of Pusher's webhooks in the test JVM: keeps every POST to {@link #url()} with the headers the SDKs'
 * {@code webhook().isValid()} reads, for the Node scripts to validate with the {@code pusher} SDK. A GET of the same
 * URL answers them all, {@code [{"headers":{…},"body":…},…]}, in arrival order. Closed by the test.
 */
final class PusherHooks implements AutoCloseable {

    private final List<String> posts = new CopyOnWriteArrayList<>();
    private final HttpServer server;

    PusherHooks() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/pusher", exchange -> {
            if (exchange.getRequestMethod().equals("GET")) {
                byte[] all = ("[" + String.join(",", posts) + "]").getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, all.length);
                exchange.getResponseBody().write(all);
            } else {
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                var headers = exchange.getRequestHeaders();
                posts.add("{\"headers\":{\"x-pusher-key\":" + quote(headers.getFirst("X-Pusher-Key"))
                        + ",\"x-pusher-signature\":" + quote(headers.getFirst("X-Pusher-Signature"))
                        + ",\"content-type\":" + quote(headers.getFirst("Content-Type")) + "},\"body\":" + quote(body)
                        + "}");
                exchange.sendResponseHeaders(200, -1);
            }
            exchange.close();
        });
        server.start();
    }

    /** Where the nodes POST ({@code pusher_webhook_url}), and where a GET lists what they POSTed. */
    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/pusher";
    }

    /** Every POST so far, as a GET answers them. */
    List<String> posts() {
        return List.copyOf(posts);
    }

    private static String quote(String value) {
        return value == null ? "null" : Json.createValue(value).toString();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
