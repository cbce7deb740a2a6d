package dev.jcable.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.streams.MessageVerifier;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** rpc_host picks the transport as anycable-go does; the RPC key is derived as AnyCable derives it. */
class RpcSettingsTest {

    private static RpcSettings rpc(Map<Option, String> options) {
        Map<Option, String> values = new EnumMap<>(Option.class);
        values.put(Option.SECRET, "secret");
        values.putAll(options);
        return new ConfigLoader(List.of(ConfigSource.of("test", values))).load().rpc();
    }

    @Test
    void defaultsAreAnycableGos() {
        RpcSettings rpc = rpc(Map.of());
        assertFalse(rpc.enabled());
        assertEquals(28, rpc.concurrency());
        assertEquals(Duration.ofMillis(3000), rpc.requestTimeout());
        assertEquals(Duration.ofSeconds(3), rpc.httpTimeout());
        assertEquals(List.of("cookie"), rpc.headers());
        assertEquals(100, rpc.disconnectRate());
        assertEquals(Duration.ofSeconds(5), rpc.disconnectTimeout());
        assertEquals(MessageVerifier.derive("secret", "rpc-cable"), rpc.httpSecret());
    }

    @Test
    void theSchemeOfRpcHostPicksTheTransport() {
        RpcSettings http = rpc(Map.of(Option.RPC_HOST, "http://app:3000/_anycable/"));
        assertEquals(RpcSettings.Transport.HTTP, http.transport());
        assertEquals("http://app:3000/_anycable", http.host());
        assertEquals(RpcSettings.Transport.GRPC, rpc(Map.of(Option.RPC_HOST, "rpc:50051")).transport());
        RpcSettings grpc = rpc(Map.of(Option.RPC_HOST, "grpc://rpc:50051"));
        assertEquals(RpcSettings.Transport.GRPC, grpc.transport());
        assertEquals("rpc:50051", grpc.host());
        ConfigException bad = assertThrows(ConfigException.class, () -> rpc(Map.of(Option.RPC_HOST, "rpc")));
        assertTrue(bad.getMessage().contains("rpc_host"), bad.getMessage());
    }

    @Test
    void anExplicitKeyAndHeaders() {
        RpcSettings rpc = rpc(Map.of(Option.HTTP_RPC_SECRET, "k", Option.HEADERS, "Cookie, X-Api-Key"));
        assertEquals("k", rpc.httpSecret());
        assertEquals(List.of("cookie", "x-api-key"), rpc.headers());
        assertEquals("", rpc(Map.of(Option.HTTP_RPC_SECRET, "none")).httpSecret());
    }
}
