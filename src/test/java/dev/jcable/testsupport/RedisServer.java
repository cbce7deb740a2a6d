package dev.jcable.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real {@code redis-server} for one test class: found by {@link ExternalProgram} (skipped with the reason when
 * missing, failing in strict mode), on a free loopback port, in a temporary directory, without persistence, stopped
 * and removed by {@link #close()}. {@link #stop()} and {@link #start()} take it away and bring it back on the same
 * port, for outage tests.
 */
public final class RedisServer implements AutoCloseable {

    private final Path program;
    private final Path dir;
    private final int port;
    private Process process;

    private RedisServer(Path program, Path dir, int port) {
        this.program = program;
        this.dir = dir;
        this.port = port;
    }

    public static RedisServer startNew() throws IOException {
        return startNew(freePort());
    }

    private static RedisServer startNew(int port) throws IOException {
        Path program = ExternalProgram.REDIS_SERVER.require();
        RedisServer server = new RedisServer(program, Files.createTempDirectory("jcable-redis"), port);
        server.start();
        return server;
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public void start() throws IOException {
        process = new ProcessBuilder(program.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--daemonize", "no")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.log").toFile())
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!ping()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IOException("redis-server did not start on port " + port + ": "
                        + Files.readString(dir.resolve("redis.log")));
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // polling for the port, not a fixed wait
        }
    }

    /** Writes the data set to disk ({@code SAVE}), so that the next {@link #start()} loads it again. */
    public void save() throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.getOutputStream().write("SAVE\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] reply = new byte[5];
            if (socket.getInputStream().readNBytes(reply, 0, 5) != 5
                    || !new String(reply, StandardCharsets.US_ASCII).equals("+OK\r\n")) {
                throw new IOException("SAVE failed: " + new String(reply, StandardCharsets.US_ASCII));
            }
        }
    }

    /** Hangs the server ({@code SIGSTOP}): connections stay open, nothing is answered until {@link #resume()}. */
    public void pause() throws IOException, InterruptedException {
        signal("-STOP");
    }

    /** Ends a {@link #pause()} ({@code SIGCONT}). */
    public void resume() throws IOException, InterruptedException {
        signal("-CONT");
    }

    private void signal(String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill " + signal + " " + process.pid() + " failed");
        }
    }

    public void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
            process = null;
        }
    }

    @Override
    public void close() throws Exception {
        stop();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private boolean ping() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] reply = new byte[7];
            return in.readNBytes(reply, 0, 7) == 7 && new String(reply, StandardCharsets.US_ASCII).equals("+PONG\r\n");
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /**
     * One redis-server for a whole test class, started before its {@code @BeforeAll} methods and closed after its
     * {@code @AfterAll} ones: {@code @RegisterExtension static final RedisServer.PerClass REDIS = new
     * RedisServer.PerClass();}. A missing program skips (or, strict, fails) the class, as {@link #startNew()} does.
     * Its port is picked when it is created, so {@link #url()} can be known before it runs (an Arquillian
     * {@code @Deployment} method runs before the extensions registered in fields).
     */
    public static final class PerClass implements BeforeAllCallback, AfterAllCallback {
        private final int port;
        private RedisServer server;

        public PerClass() {
            try {
                port = freePort();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        @Override
        public void beforeAll(ExtensionContext context) throws Exception {
            server = startNew(port);
        }

        @Override
        public void afterAll(ExtensionContext context) throws Exception {
            if (server != null) {
                server.close();
            }
        }

        public RedisServer server() {
            return server;
        }

        public String url() {
            return "redis://127.0.0.1:" + port;
        }
    }
}
