package dev.jcable.config;

import java.time.Duration;
import java.util.List;

/**
 * AnyCable RPC: the application that owns the channels (a Rails app, a Node app on serverless-js) and how jcable
 * reaches it. anycable-go's options, with its defaults and units ({@code rpc_request_timeout} in milliseconds, the
 * others in seconds).
 *
 * @param transport         HTTP, gRPC, or none (no {@code rpc_host})
 * @param host              the base URL (HTTP, no trailing slash) or {@code host:port} (gRPC)
 * @param concurrency       calls in flight at most, per node; the others wait in order
 * @param requestTimeout    deadline of one gRPC call, and how long a call may wait for a free slot
 * @param tls               gRPC over TLS
 * @param httpTimeout       deadline of one HTTP RPC request
 * @param httpSecret        the Bearer key of HTTP RPC requests; empty: none sent
 * @param headers           the handshake headers passed to the application (lower case)
 * @param disconnectRate    Disconnect calls per second at most
 * @param disconnectTimeout how long undeploy waits for queued Disconnect calls
 * @param disableDisconnect no Disconnect calls at all
 */
public record RpcSettings(Transport transport, String host, int concurrency, Duration requestTimeout, boolean tls,
                          Duration httpTimeout, String httpSecret, List<String> headers, int disconnectRate,
                          Duration disconnectTimeout, boolean disableDisconnect) {

    public enum Transport { NONE, HTTP, GRPC }

    public RpcSettings {
        headers = List.copyOf(headers);
    }

    public boolean enabled() {
        return transport != Transport.NONE;
    }
}
