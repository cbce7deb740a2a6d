package dev.jcable.rpc;

import dev.jcable.config.RpcSettings;
import dev.jcable.rpc.RpcMessages.CommandCall;
import dev.jcable.rpc.RpcMessages.CommandReply;
import dev.jcable.rpc.RpcMessages.ConnectReply;
import dev.jcable.rpc.RpcMessages.DisconnectCall;
import dev.jcable.rpc.RpcMessages.Env;
import dev.jcable.rpc.RpcMessages.Status;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * RPC over HTTP, as anycable-go does it: {@code POST <rpc_host>/connect}, {@code /command}, {@code /disconnect} with
 * the message as JSON, {@code Authorization: Bearer <http_rpc_secret>} and the session id in
 * {@code x-anycable-meta-sid}. The JDK's HttpClient, asynchronous: nothing waits for the answer; its callbacks run on
 * the container's managed executor.
 */
public final class HttpRpc implements RpcTransport {

    private final HttpClient http;
    private final String base;
    private final RpcSettings settings;

    public HttpRpc(RpcSettings settings, Executor executor) {
        this.settings = settings;
        this.base = settings.host();
        this.http = HttpClient.newBuilder().executor(executor).connectTimeout(settings.httpTimeout())
                .version(HttpClient.Version.HTTP_1_1).build();
    }

    @Override
    public CompletableFuture<ConnectReply> connect(String sid, Env env) {
        return post("connect", sid, RpcJson.connect(env), RpcJson::connectReply);
    }

    @Override
    public CompletableFuture<CommandReply> command(String sid, CommandCall call) {
        return post("command", sid, RpcJson.command(call), RpcJson::commandReply);
    }

    @Override
    public CompletableFuture<Status> disconnect(String sid, DisconnectCall call) {
        return post("disconnect", sid, RpcJson.disconnect(call), RpcJson::disconnectReply);
    }

    @Override
    public void close() {
        // Java 17's HttpClient has no close(): its selector thread ends once the client is unreachable
    }

    private <T> CompletableFuture<T> post(String path, String sid, String body, Function<String, T> reader) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/" + path))
                .timeout(settings.httpTimeout())
                .header("Content-Type", "application/json")
                .header("x-anycable-meta-sid", sid)
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (!settings.httpSecret().isEmpty()) {
            request.header("Authorization", "Bearer " + settings.httpSecret());
        }
        CompletableFuture<T> answer = new CompletableFuture<>();
        http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
                .whenComplete((response, error) -> {
                    try {
                        if (error != null) {
                            answer.completeExceptionally(RpcException.of(error));
                        } else {
                            answer.complete(read(path, response, reader));
                        }
                    } catch (RuntimeException e) {
                        answer.completeExceptionally(RpcException.of(e));
                    }
                });
        return answer;
    }

    private static <T> T read(String path, HttpResponse<String> response, Function<String, T> reader) {
        int code = response.statusCode();
        if (code == 200 || code == 201) {
            return reader.apply(response.body());
        }
        RpcException.Kind kind = switch (code) {
            case 429 -> RpcException.Kind.EXHAUSTED;
            case 502, 503, 504 -> RpcException.Kind.UNAVAILABLE;
            default -> RpcException.Kind.FAILED;
        };
        throw new RpcException(kind, "POST /" + path + " answered HTTP " + code
                + (code == 401 || code == 403 ? " (is http_rpc_secret the application's?)" : ""));
    }
}
