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
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A server under test, run as its own process (pinned with taskset when asked), on a random loopback port, in a
 * temporary directory of its own that is deleted when it stops: Payara Micro, WildFly or Open Liberty (unpacked by
 * the pom's {@code wildfly} and {@code liberty} profiles, configured here, not with the integration suite's
 * settings), or the Node {@code ws} server.
 */
public final class Server implements AutoCloseable {

    /** The Jakarta EE servers the kit runs: {@code bench.server=payara|wildfly|liberty}. */
    public enum Kind {
        PAYARA("Payara Micro"), WILDFLY("WildFly"), LIBERTY("Open Liberty");

        public final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    private final Process process;
    private final int port;
    private final Path dir;
    private final StringBuffer log = new StringBuffer();
    private final CompletableFuture<Boolean> ready = new CompletableFuture<>();
    private final String readyMarker;
    private final String failMarker;
    /** the JVM (or Node) itself: a launch script's child for WildFly */
    private volatile ProcessHandle runtime;

    private Server(List<String> command, Map<String, String> env, int port, Path dir, String readyMarker,
                   String failMarker) throws IOException {
        this.port = port;
        this.dir = dir;
        this.readyMarker = readyMarker;
        this.failMarker = failMarker;
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        process = builder.start();
        runtime = process.toHandle();
        Thread reader = new Thread(this::read, "server-log");
        reader.setDaemon(true);
        reader.start();
    }

    /** {@code war} at context root / on the given server, started with {@code jvmOptions}. */
    public static Server jakarta(Kind kind, String cpus, Path war, List<String> jvmOptions) throws Exception {
        return switch (kind) {
            case PAYARA -> payara(cpus, Path.of(System.getProperty("bench.microJar", "target/payara-micro.jar")), war,
                    jvmOptions);
            case WILDFLY -> {
                Path home = Path.of(System.getProperty("bench.wildflyHome"));
                if (Files.readString(home.resolve("standalone/configuration/standalone.xml")).contains("anycable")) {
                    throw new IllegalStateException(home + " carries the integration suite's configuration (an "
                            + "anycable binding in standalone.xml): unpack it afresh (bench/run.sh does)");
                }
                yield wildfly(cpus, home, war, jvmOptions);
            }
            case LIBERTY -> liberty(cpus, Path.of(System.getProperty("bench.libertyHome", "target/liberty/wlp")), war,
                    jvmOptions);
        };
    }

    /** Payara Micro ({@code microJar}) with {@code war} at context root /. */
    public static Server payara(String cpus, Path microJar, Path war, List<String> jvmOptions) throws Exception {
        int port = freePort();
        List<String> command = pinned(cpus);
        command.add(new File(System.getProperty("java.home"), "bin/java").getPath());
        command.addAll(jvmOptions);
        Path dir = Files.createTempDirectory("bench-payara");
        command.addAll(List.of("-jar", microJar.toString(), "--deploy", war.toString(), "--contextroot", "/",
                "--port", String.valueOf(port), "--nocluster", "--disablephonehome", "--rootdir", dir.toString()));
        return new Server(command, Map.of(), port, dir, "ready in", null).await();
    }

    /**
     * WildFly from its unpacked distribution {@code home} (the pom's {@code wildfly} profile), with a server base
     * directory of its own: a copy of the distribution's configuration, {@code war} in its deployments (the WAR
     * itself says context root /), every socket on a free port. The JVM options replace standalone.conf's. (The
     * integration suite's second WildFly node copies the suite's configuration, its presence_ttl binding included.)
     */
    public static Server wildfly(String cpus, Path home, Path war, List<String> jvmOptions) throws Exception {
        Path configuration = home.resolve("standalone/configuration");
        Path dir = Files.createTempDirectory("bench-wildfly");
        copyTree(configuration, dir.resolve("configuration"));
        Files.createDirectories(dir.resolve("deployments"));
        Files.copy(war, dir.resolve("deployments").resolve(war.getFileName()));
        int port = freePort();
        List<String> command = pinned(cpus);
        command.addAll(List.of(home.resolve("bin/standalone.sh").toString(), "-Djboss.server.base.dir=" + dir,
                "-Djboss.http.port=" + port, "-Djboss.https.port=" + freePort(), "-Djboss.ajp.port=" + freePort(),
                "-Djboss.management.http.port=" + freePort(), "-Djboss.management.https.port=" + freePort()));
        Map<String, String> env = Map.of("JAVA_HOME", System.getProperty("java.home"), "LAUNCH_JBOSS_IN_BACKGROUND",
                "1", "JAVA_OPTS", String.join(" ", jvmOptions) + " -Djava.net.preferIPv4Stack=true -Djava.awt.headless=true");
        return new Server(command, env, port, dir, "WFLYSRV0025", "WFLYSRV0026").await();
    }

    /**
     * Open Liberty from its unpacked runtime {@code wlp} (the pom's {@code liberty} profile), with a user directory of
     * its own holding one server: the features jcable needs, HTTP on a free loopback port, {@code war} at /.
     */
    public static Server liberty(String cpus, Path wlp, Path war, List<String> jvmOptions) throws Exception {
        Path dir = Files.createTempDirectory("bench-liberty");
        Path server = Files.createDirectories(dir.resolve("servers/bench"));
        int port = freePort();
        Files.writeString(server.resolve("server.xml"), """
                <server>
                    <featureManager>
                        <feature>websocket-2.1</feature>
                        <feature>jsonb-3.0</feature>
                        <feature>cdi-4.0</feature>
                        <feature>concurrent-3.0</feature>
                        <feature>restfulWS-3.1</feature>
                        <feature>jndi-1.0</feature>
                    </featureManager>
                    <httpEndpoint id="defaultHttpEndpoint" host="127.0.0.1" httpPort="%d" httpsPort="-1"/>
                    <webApplication location="%s" contextRoot="/"/>
                    <applicationMonitor updateTrigger="disabled"/>
                </server>
                """.formatted(port, war.toAbsolutePath()));
        Files.write(server.resolve("jvm.options"), jvmOptions);
        List<String> command = pinned(cpus);
        command.addAll(List.of(wlp.resolve("bin/server").toString(), "run", "bench"));
        Map<String, String> env = Map.of("JAVA_HOME", System.getProperty("java.home"), "WLP_USER_DIR", dir.toString());
        return new Server(command, env, port, dir, "CWWKZ0001I", "CWWKZ0002E").await();
    }

    /** The Node ws broadcast server (bench/node-ws-server.mjs). */
    public static Server node(String cpus, Path script) throws Exception {
        int port = freePort();
        List<String> command = pinned(cpus);
        command.addAll(List.of("node", "--expose-gc", script.toString(), String.valueOf(port)));
        return new Server(command, Map.of(), port, null, "listening", null).await();
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
                } else if (failMarker != null && line.contains(failMarker)) {
                    ready.complete(false);
                }
            }
        } catch (IOException e) {
            // ended
        } finally {
            ready.complete(false);
        }
    }

    private Server await() throws Exception {
        if (!ready.get(Bench.intProp("startSeconds", 180), TimeUnit.SECONDS)) { // longer on a loaded machine
            close();
            throw new IllegalStateException("server failed or ended before it was ready:\n" + log);
        }
        // some servers log that the application started before their HTTP listener accepts (Liberty)
        for (long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60); ; ) {
            try (java.net.Socket probe = new java.net.Socket("127.0.0.1", port)) {
                break;
            } catch (IOException e) {
                if (System.nanoTime() > until || !process.isAlive()) {
                    close();
                    throw new IllegalStateException("no listener on port " + port + ":\n" + log, e);
                }
                Thread.sleep(100);
            }
        }
        // a launch script (WildFly's) runs the JVM as its child: measure that one
        runtime = Stream.concat(Stream.of(process.toHandle()), process.descendants())
                .filter(p -> p.info().command().map(c -> c.endsWith("/java") || c.endsWith("/node")).orElse(false))
                .findFirst().orElse(process.toHandle());
        return this;
    }

    public URI base() {
        return URI.create("http://127.0.0.1:" + port + "/");
    }

    public long pid() {
        return runtime.pid();
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

    /** The process's open file descriptors (sockets, jars, logs): /proc/pid/fd; -1 when unreadable. */
    public long openFiles() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid() + "/fd"))) {
            return fds.count();
        } catch (IOException e) {
            return -1;
        }
    }

    /** The process's threads (/proc/pid/status). */
    public long threads() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid() + "/status"))) {
            if (line.startsWith("Threads:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    /** The live objects by class (jcmd GC.class_histogram, which collects first). */
    public String histogram() throws Exception {
        return jcmd("GC.class_histogram");
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

    /** Runs {@code jcmd <pid> <what…>} (words split on spaces) and returns its output. */
    String jcmd(String what) throws Exception {
        List<String> command = new ArrayList<>(List.of("jcmd", String.valueOf(pid())));
        command.addAll(List.of(what.split(" ")));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(60, TimeUnit.SECONDS);
        return out;
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /**
     * Stops the server (SIGTERM; SIGKILL to a process still running {@code graceSeconds} later) and waits for it;
     * true when one had to be killed. {@link #close()} does this with 30 s.
     */
    public boolean stop(int graceSeconds) throws InterruptedException {
        List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
        all.add(process.toHandle());
        all.forEach(ProcessHandle::destroy);
        boolean killed = false;
        for (ProcessHandle p : all) {
            try {
                p.onExit().get(graceSeconds, TimeUnit.SECONDS);
            } catch (Exception e) {
                killed = p.destroyForcibly() || killed;
            }
        }
        process.waitFor(30, TimeUnit.SECONDS);
        return killed;
    }

    @Override
    public void close() throws InterruptedException {
        stop(30);
        String logs = System.getProperty("bench.serverLogs", ""); // -Dbench.serverLogs=target/bench keeps each log
        if (!logs.isEmpty()) {
            try {
                Files.writeString(Path.of(logs, "server-" + port + ".log"), log);
            } catch (IOException e) {
                System.err.println("server log not kept: " + e);
            }
        }
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException e) {
                // a leftover temporary directory; nothing to stop the run for
            }
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
    }
}
