package dev.jcable.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.config.RpcSettings;
import dev.jcable.metrics.Counter;
import dev.jcable.rpc.RpcMessages.CommandCall;
import dev.jcable.rpc.RpcMessages.CommandReply;
import dev.jcable.rpc.RpcMessages.ConnectReply;
import dev.jcable.rpc.RpcMessages.Env;
import dev.jcable.rpc.RpcMessages.Presence;
import dev.jcable.rpc.RpcMessages.Status;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * gRPC against a real gRPC server on AnyCable's rpc.proto (@grpc/grpc-js, src/test/node/rpc-grpc-backend.mjs): the
 * hand-written protobuf messages are what a generated server reads and writes, presence included; a dead backend is
 * retried as anycable-go retries UNAVAILABLE, then fails. An IT (no deployment): the build installs the Node packages
 * before the integration tests.
 */
class GrpcTransportIT {

    private static Process backend;
    private static int port;
    private static final ScheduledThreadPoolExecutor SCHEDULER = new ScheduledThreadPoolExecutor(1);

    @BeforeAll
    static void start() throws Exception {
        File dir = new File(System.getProperty("node.test.dir", "src/test/node"));
        backend = new ProcessBuilder("node", "rpc-grpc-backend.mjs").directory(dir).redirectErrorStream(true).start();
        String first = new BufferedReader(new InputStreamReader(backend.getInputStream(), StandardCharsets.UTF_8))
                .readLine();
        assertTrue(first != null && first.startsWith("listening "), String.valueOf(first));
        port = Integer.parseInt(first.substring("listening ".length()).trim());
    }

    @AfterAll
    static void stop() {
        backend.destroy();
        SCHEDULER.shutdownNow();
    }

    private static Rpc rpc(int port) {
        RpcSettings settings = new RpcSettings(RpcSettings.Transport.GRPC, "127.0.0.1:" + port, 28,
                Duration.ofMillis(3000), false, Duration.ofSeconds(3), "", List.of(), 100, Duration.ofSeconds(1),
                false);
        return new Rpc(settings, new GrpcRpc(settings, Runnable::run, Executors.defaultThreadFactory(), SCHEDULER),
                SCHEDULER, System::currentTimeMillis);
    }

    private static Env env(String url, Map<String, String> istate) {
        return new Env(url, Map.of("cookie", "a=1"), Map.of(), istate);
    }

    @Test
    void connectAndACommandWithPresenceRoundTrip() throws Exception {
        Rpc rpc = rpc(port);
        try {
            ConnectReply connect = rpc.connect("sid1", env("http://h/cable?user=ann", Map.of()))
                    .get(10, TimeUnit.SECONDS);
            assertEquals(Status.SUCCESS, connect.status());
            assertEquals("{\"user\":\"ann\"}", connect.identifiers());
            assertEquals(List.of("{\"type\":\"welcome\",\"sid\":\"sid1\"}"), connect.transmissions());
            assertEquals(Map.of("user", "ann"), connect.cstate());

            String identifier = "{\"channel\":\"LobbyChannel\",\"room\":\"1\"}";
            CommandReply subscribe = rpc.command("sid1", new CommandCall("subscribe", identifier, connect.identifiers(),
                    null, env("http://h/cable?user=ann", Map.of()))).get(10, TimeUnit.SECONDS);
            assertEquals(Status.SUCCESS, subscribe.status());
            assertEquals(List.of("room:1"), subscribe.streams());
            assertEquals(Map.of("joined", "ann"), subscribe.istate());
            assertEquals(new Presence("join", "ann", "{\"name\":\"ANN\"}"), subscribe.presence());

            CommandReply leave = rpc.command("sid1", new CommandCall("message", identifier, connect.identifiers(),
                    "{\"action\":\"leave\"}", env("http://h/cable?user=ann", subscribe.istate())))
                    .get(10, TimeUnit.SECONDS);
            assertEquals(new Presence("leave", "ann", null), leave.presence());
            assertEquals(List.of("{\"identifier\":\"{\\\"channel\\\":\\\"LobbyChannel\\\",\\\"room\\\":\\\"1\\\"}\","
                    + "\"message\":{\"left\":\"ann\"}}"), leave.transmissions()); // istate went back

            ConnectReply refused = rpc.connect("sid2", env("http://h/cable", Map.of())).get(10, TimeUnit.SECONDS);
            assertEquals(Status.FAILURE, refused.status());
        } finally {
            rpc.shutdown();
        }
    }

    @Test
    void aDeadBackendIsRetriedThenFails() throws Exception {
        int dead;
        try (ServerSocket socket = new ServerSocket(0)) {
            dead = socket.getLocalPort(); // closed again: nothing listens there
        }
        Rpc rpc = rpc(dead);
        try {
            long retries = Counter.RPC_RETRIES.count();
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> rpc.connect("sid", env("http://h/cable?user=x", Map.of())).get(20, TimeUnit.SECONDS));
            assertEquals(RpcException.Kind.UNAVAILABLE, ((RpcException) e.getCause()).kind());
            assertTrue(Counter.RPC_RETRIES.count() - retries >= 4, "retries: "
                    + (Counter.RPC_RETRIES.count() - retries)); // 100, 200, 400, 800, 1600 ms: at most 3 s
        } finally {
            rpc.shutdown();
        }
    }
}
