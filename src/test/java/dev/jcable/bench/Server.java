package dev.jcable.bench;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A server under test, run as its own process (pinned with taskset when asked), on a random loopback port. */
public final class Server implements AutoCloseable {

    private final Process process;
    private final int port;
    private final StringBuffer log = new StringBuffer();
    private final CompletableFuture<Boolean> ready = new CompletableFuture<>();
    private final String readyMarker;

    private Server(List<String> command, int port, String readyMarker) throws IOException {
        this.port = port;
        this.readyMarker = readyMarker;
        process = new ProcessBuilder(command).redirectErrorStream(true).start();
        Thread reader = new Thread(this::read, "server-log");
        reader.setDaemon(true);
        reader.start();
    }

    /** Payara Micro ({@code microJar}) with {@code war} at context root /. */
    public static Server payara(String cpus, Path microJar, Path war, List<String> jvmOptions) throws Exception {
        int port = freePort();
        List<String> command = pinned(cpus);
        command.add(new File(System.getProperty("java.home"), "bin/java").getPath());
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", microJar.toString(), "--deploy", war.toString(), "--contextroot", "/",
                "--port", String.valueOf(port), "--nocluster", "--disablephonehome",
                "--rootdir", Files.createTempDirectory("bench-payara").toString()));
        Server server = new Server(command, port, "ready in");
        return server.await();
    }

    /** The Node ws broadcast server (bench/node-ws-server.mjs). */
    public static Server node(String cpus, Path script) throws Exception {
        int port = freePort();
        List<String> command = pinned(cpus);
        command.addAll(List.of("node", script.toString(), String.valueOf(port)));
        return new Server(command, port, "listening").await();
    }

    private static List<String> pinned(String cpus) {
        List<String> command = new ArrayList<>();
        if (cpus != null && !cpus.isEmpty() && new File("/usr/bin/taskset").canExecute()) {
            command.addAll(List.of("/usr/bin/taskset", "-c", cpus));
        }
        return command;
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (log.length() < 2_000_000) {
                    log.append(line).append('\n');
                }
                if (line.contains(readyMarker)) {
                    ready.complete(true);
                }
            }
        } catch (IOException e) {
            // ended
        } finally {
            ready.complete(false);
        }
    }

    private Server await() throws Exception {
        if (!ready.get(180, TimeUnit.SECONDS)) {
            throw new IllegalStateException("server ended before it was ready:\n" + log);
        }
        return this;
    }

    public URI base() {
        return URI.create("http://127.0.0.1:" + port + "/");
    }

    public long pid() {
        return process.pid();
    }

    public String log() {
        return log.toString();
    }

    /** CPU time (user + system) of the process so far, in nanoseconds (from /proc). */
    public long cpuNanos() {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid() + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            return ticks * 10_000_000L; // USER_HZ = 100
        } catch (Exception e) {
            return 0;
        }
    }

    /** Resident set size in KB. */
    public long rssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid() + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    /** Forces a full GC (jcmd GC.run, twice) and returns the used heap in KB. */
    public long heapAfterGcKb() throws Exception {
        jcmd("GC.run");
        jcmd("GC.run");
        String info = jcmd("GC.heap_info");
        long used = 0;
        Matcher m = Pattern.compile("(generation|heap)\\s+total \\d+K, used (\\d+)K").matcher(info);
        while (m.find()) {
            used += Long.parseLong(m.group(2));
        }
        return used;
    }

    private String jcmd(String what) throws Exception {
        Process p = new ProcessBuilder("jcmd", String.valueOf(pid()), what).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(60, TimeUnit.SECONDS);
        return out;
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }
}
