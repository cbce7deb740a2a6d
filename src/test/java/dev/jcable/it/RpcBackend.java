package dev.jcable.it;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * An RPC backend as a Node process on a free port: AnyCable's own RPC-over-HTTP library (@anycable/serverless-js,
 * src/test/node/rpc-backend.mjs) or a gRPC server on AnyCable's rpc.proto (@grpc/grpc-js, rpc-grpc-backend.mjs);
 * every line of its output is kept (a line per call it answered).
 */
final class RpcBackend implements AutoCloseable {

    private final Process process;
    private final int port;
    final List<String> lines = new CopyOnWriteArrayList<>();

    RpcBackend(String... scriptAndArguments) throws Exception {
        File dir = new File(System.getProperty("node.test.dir", "src/test/node"));
        java.util.List<String> command = new java.util.ArrayList<>(List.of("node"));
        command.addAll(List.of(scriptAndArguments));
        process = new ProcessBuilder(command).directory(dir).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
        String first = out.readLine();
        if (first == null || !first.startsWith("listening ")) {
            process.destroyForcibly();
            throw new IllegalStateException("the RPC backend did not start: " + first);
        }
        port = Integer.parseInt(first.substring("listening ".length()).trim());
        Thread reader = new Thread(() -> {
            try {
                for (String line; (line = out.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (java.io.IOException e) {
                // the process ended
            }
        }, "rpc-backend-output");
        reader.setDaemon(true);
        reader.start();
    }

    String url() {
        return "http://127.0.0.1:" + port + "/_anycable";
    }

    /** {@code host:port}, as rpc_host names a gRPC backend. */
    String address() {
        return "127.0.0.1:" + port;
    }

    /** Waits (at most 20 s) for a line of the backend's output that matches. */
    String await(Predicate<String> match) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            for (String line : lines) {
                if (match.test(line)) {
                    return line;
                }
            }
            Thread.onSpinWait();
            try {
                Thread.sleep(20); // polling the backend's output for a condition, not a fixed wait
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new AssertionError("the RPC backend never logged a matching line; it logged " + lines);
    }

    /** Kills it (a dead backend), and waits until it is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        process.destroy();
    }
}
