package dev.jcable.it;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A Payara Micro process run by the test itself, for what Arquillian's adapter cannot show: a deployment that must
 * fail, the server's own shutdown, and deployments coming and going in one JVM ({@link PayaraRedeployIT}). Its log is
 * kept for assertions.
 */
final class PayaraProcess implements AutoCloseable {

    private final Process process;
    private final File root;
    private final int port;
    private final StringBuffer log = new StringBuffer();
    private final CompletableFuture<Boolean> ready = new CompletableFuture<>();

    /** jcable's WAR (at the context root its glassfish-web.xml names: /) with these {@code -D} system properties. */
    PayaraProcess(String... systemProperties) throws IOException {
        this(List.of(System.getProperty("jcable.war", "target/jcable.war")), systemProperties);
    }

    /** These WARs (each at its context root: a file's name, or what its glassfish-web.xml names). */
    PayaraProcess(List<String> wars, String... systemProperties) throws IOException {
        port = freePort();
        root = Files.createTempDirectory("jcable-payara").toFile();
        List<String> command = new ArrayList<>(List.of(
                new File(System.getProperty("java.home"), "bin/java").getPath(),
                "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        for (String property : systemProperties) {
            command.add("-D" + property);
        }
        command.addAll(List.of("-jar", System.getProperty("payara.microJar", "target/payara-micro.jar")));
        for (String war : wars) {
            command.addAll(List.of("--deploy", war));
        }
        command.addAll(List.of("--port", String.valueOf(port), "--nocluster", "--disablephonehome",
                "--rootdir", root.getPath()));
        process = new ProcessBuilder(command).redirectErrorStream(true).start();
        Thread reader = new Thread(this::read, "payara-log");
        reader.setDaemon(true);
        reader.start();
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                log.append(line).append('\n');
                if (line.contains("Payara Micro") && line.contains("ready in")) {
                    ready.complete(true);
                }
            }
        } catch (IOException e) {
            // the process ended
        } finally {
            ready.complete(false);
        }
    }

    /** Waits for Payara's "ready" line (it prints it even when a deployment failed). */
    PayaraProcess awaitReady() throws Exception {
        if (!ready.get(120, TimeUnit.SECONDS)) {
            throw new AssertionError("Payara Micro ended before it was ready:\n" + log);
        }
        return this;
    }

    int port() {
        return port;
    }

    String log() {
        return log.toString();
    }

    /** SIGTERM, as an orchestrator stops a server; returns once the process has exited. */
    void terminate() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    /** SIGKILL, as {@code kill -9}: nothing of the server runs after it; returns once the process is gone. */
    void kill() throws InterruptedException {
        close();
    }

    /** Ends the process (SIGKILL if it still runs) and removes its runtime directory (the unpacked server). */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        try (var files = Files.walk(root.toPath())) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // a leftover in the temp directory; .ci/run clears them
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
