package dev.jcable.bench;

import dev.jcable.config.RpcSettings;
import dev.jcable.rpc.GrpcRpc;
import dev.jcable.rpc.HttpRpc;
import dev.jcable.rpc.Rpc;
import dev.jcable.rpc.RpcMessages.CommandCall;
import dev.jcable.rpc.RpcMessages.Env;
import dev.jcable.rpc.RpcTransport;
import dev.jcable.streams.MessageVerifier;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The RPC path's own cost: Command calls (a channel action that only answers) through jcable's controller and
 * transport to a backend on loopback, {@code rpc_concurrency} (28) callers in a closed loop. Latency is from the
 * call to its parsed answer; the backend reports how long each call took inside it, so the path's own cost is the
 * difference. Usage: {@code RpcBench http|grpc [commands]} (src/test/node's backends: serverless-js over HTTP, the
 * rpc.proto server over gRPC).
 */
public final class RpcBench {

    public static void main(String[] args) throws Exception {
        String transport = args.length > 0 ? args[0] : "http";
        int commands = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        int warmup = commands / 4;
        boolean http = transport.equals("http");
        String secret = MessageVerifier.derive("bench", "rpc-cable");
        ProcessBuilder builder = new ProcessBuilder(http ? List.of("node", "rpc-backend.mjs", secret)
                : List.of("node", "rpc-grpc-backend.mjs"))
                .directory(new File(System.getProperty("node.test.dir", "src/test/node"))).redirectErrorStream(true);
        builder.environment().put("RPC_BENCH", "1");
        Process backend = builder.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(backend.getInputStream(),
                StandardCharsets.UTF_8));
        int port = Integer.parseInt(out.readLine().replace("listening ", "").trim());
        RpcSettings settings = new RpcSettings(http ? RpcSettings.Transport.HTTP : RpcSettings.Transport.GRPC,
                http ? "http://127.0.0.1:" + port + "/_anycable" : "127.0.0.1:" + port, 28, Duration.ofMillis(3000),
                false, Duration.ofSeconds(3), secret, List.of("cookie"), 100, Duration.ofSeconds(1), false);
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
        var executor = Executors.newFixedThreadPool(2);
        RpcTransport wire = http ? new HttpRpc(settings, executor)
                : new GrpcRpc(settings, executor, Executors.defaultThreadFactory(), scheduler);
        Rpc rpc = new Rpc(settings, wire, scheduler, System::currentTimeMillis);
        String identifier = http ? "{\"channel\":\"ChatChannel\",\"room\":\"1\"}"
                : "{\"channel\":\"LobbyChannel\",\"room\":\"1\"}";
        String data = http ? "{\"action\":\"echo\",\"text\":\"hi\"}" : "{\"action\":\"echo\",\"text\":\"hi\"}";
        Env env = new Env("http://localhost/cable?user=bench", Map.of("cookie", "a=1"), Map.of(),
                http ? Map.of(identifier, "{\"count\":0}") : Map.of());
        CommandCall call = new CommandCall("message", identifier, "{\"user\":\"bench\"}", data, env);

        run(rpc, call, warmup, 28, new long[warmup]);
        long[] latencies = new long[commands];
        long started = System.nanoTime();
        run(rpc, call, commands, 28, latencies);
        double seconds = (System.nanoTime() - started) / 1e9;

        backend.toHandle().destroy(); // SIGTERM, its output still open: it prints the time each call took inside it
        String line;
        double[] inside = null;
        while ((line = out.readLine()) != null) {
            if (line.startsWith("backend ")) {
                String[] values = line.substring("backend [".length(), line.length() - 1).split(",");
                inside = Arrays.stream(values).skip(warmup).mapToDouble(Double::parseDouble).sorted().toArray();
            }
        }
        Arrays.sort(latencies);
        double p50 = latencies[commands / 2] / 1000.0;
        double p95 = latencies[(int) (commands * 0.95)] / 1000.0;
        double b50 = inside == null ? Double.NaN : inside[inside.length / 2];
        double b95 = inside == null ? Double.NaN : inside[(int) (inside.length * 0.95)];
        System.out.printf("| %s | %d | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f |%n", transport, commands,
                commands / seconds, p50, p95, b50, b95, p50 - b50, p95 - b95);
        rpc.shutdown();
        scheduler.shutdownNow();
        executor.shutdownNow();
    }

    /** {@code callers} threads each call in a loop until {@code n} calls were answered; latencies in µs·1000. */
    private static void run(Rpc rpc, CommandCall call, int n, int callers, long[] latencies) throws Exception {
        AtomicInteger next = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(callers);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
            Thread thread = new Thread(() -> {
                try {
                    for (int k; (k = next.getAndIncrement()) < n; ) {
                        long t0 = System.nanoTime();
                        rpc.command("bench" + k, call).get(10, TimeUnit.SECONDS);
                        latencies[k] = System.nanoTime() - t0;
                    }
                } catch (Exception e) {
                    e.printStackTrace();
                } finally {
                    done.countDown();
                }
            });
            threads.add(thread);
            thread.start();
        }
        done.await();
    }
}
