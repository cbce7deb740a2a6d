package dev.jcable.bench;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Slow consumers among healthy ones ({@code bench/run.sh slow}): fan-out to {@code bench.healthy} (1,000)
 * subscribers of one stream, measured without and then with {@code bench.slow} (100) more subscribers that stop
 * reading at the TCP level (raw sockets with a 4 KiB receive buffer that read nothing after their confirmation).
 * They keep sending {@code {"command":"pong"}} once a second, so that they count as alive and what cuts them off is
 * {@code too_slow} (a silent one is cut off as {@code no_pong} after {@code pong_timeout}, see LivenessIT). Reported:
 * the healthy subscribers' latency in each run and the ratio of p95 with the slow ones to p95 without them (the
 * mean of a run before and one after), how many slow ones were cut off as {@code too_slow}, and the server's heap
 * after a full GC following each run.
 */
public final class SlowConsumers {

    private static final String STREAM = "bench/fanout"; // the stream Fanout publishes to and subscribes to
    private static final Pattern CONNECTIONS = Pattern.compile("\"connections\":(\\d+)");

    private SlowConsumers() {
    }

    public static void main(String[] args) throws Exception {
        int healthy = Bench.intProp("healthy", 1000);
        int slow = Bench.intProp("slow", 100);
        int warmup = Bench.intProp("warmup", 20);
        // 100 KB/s to each subscriber for 150 s: enough for the slow ones to outgrow what the container takes into
        // its own write queue (about 11 MB a connection on Payara Micro) and be cut off within the run
        int messages = Bench.intProp("messages", 1500);
        int rate = Bench.intProp("rate", 10);
        int size = Bench.intProp("payload", 10_000);
        if (System.getProperty("bench.heap") == null) {
            System.setProperty("bench.heap", "2g"); // the container holds ~1.2 GB while 100 connections stall
        }
        String maxPending = Bench.prop("maxPending", "65536");
        Path war = Wars.export(Wars.jcable(Bench.jcableWar()), "jcable-bench.war");
        HttpClient ws = Conn.client();
        int inFlight = Bench.intProp("maxInFlight", 64);
        Fanout.Settings settings = new Fanout.Settings(healthy, warmup, messages, rate, size, inFlight);
        StringBuilder out = new StringBuilder("<!-- slow " + ZonedDateTime.now() + " -->\n");
        String histogram;
        try (Server server = Bench.jakarta(war, Bench.jcableOptions("-Danycable.ws_max_pending_size=" + maxPending))) {
            Fanout.Target target = new Fanout.Target("jcable /_broadcast", Fanout.Kind.JCABLE_HTTP, server.base(),
                    Bench.SECRET);
            // warm-up run (JIT, pools), not reported
            Fanout.run(ws, target, new Fanout.Settings(healthy, 0, 200, 50, size, inFlight),
                    server::cpuNanos);

            Fanout.Result before = Fanout.run(ws, target, settings, server::cpuNanos);
            long heapBefore = server.heapAfterGcKb();
            report("without slow consumers (before)", before);

            List<Stalled> stalled = new ArrayList<>();
            long[] firstCut = {-1};
            long[] lastCut = {-1};
            long[] heapAllCut = {-1};
            ScheduledExecutorService pongs = Executors.newSingleThreadScheduledExecutor();
            long tooSlowBefore = count(server.log(), "disconnecting it as too_slow");
            Fanout.Result with;
            int left;
            try {
                String identifier = Cable.identifier(Bench.SECRET, STREAM);
                for (int i = 0; i < slow; i++) {
                    stalled.add(Stalled.open(server.base(), identifier));
                }
                pongs.scheduleAtFixedRate(() -> stalled.forEach(Stalled::pong), 1, 1, TimeUnit.SECONDS);
                // when the slow ones are cut off, from the server's count of connections: healthy + slow while open
                long[] connectedAt = {-1};
                int all = healthy + slow;
                pongs.scheduleAtFixedRate(() -> {
                    try {
                        int open = connections(server.base());
                        long now = System.nanoTime();
                        if (connectedAt[0] < 0) {
                            if (open == all) {
                                connectedAt[0] = now; // every subscriber is in: the clock starts
                            }
                            return;
                        }
                        long second = TimeUnit.NANOSECONDS.toSeconds(now - connectedAt[0]);
                        if (open < all && firstCut[0] < 0) {
                            firstCut[0] = second;
                        }
                        if (open <= healthy && lastCut[0] < 0) {
                            lastCut[0] = second;
                            heapAllCut[0] = server.heapAfterGcKb(); // the slow ones gone, the healthy ones there
                        }
                    } catch (Exception e) {
                        // a sample missed
                    }
                }, 1, 1, TimeUnit.SECONDS);
                with = Fanout.run(ws, target, settings, server::cpuNanos);
                left = connections(server.base()); // the healthy ones have closed: who is left is a slow one
            } finally {
                pongs.shutdownNow();
                stalled.forEach(Stalled::close);
            }
            long tooSlow = count(server.log(), "disconnecting it as too_slow") - tooSlowBefore;
            long heapWith = server.heapAfterGcKb();
            report("with " + slow + " slow consumers", with);

            Fanout.Result after = Fanout.run(ws, target, settings, server::cpuNanos);
            long heapAfter = server.heapAfterGcKb();
            report("without slow consumers (after)", after);
            histogram = histogram(server.pid(), 25); // what the heap still holds at the end

            double baseline = (before.latency().p95() + after.latency().p95()) / 2;
            out.append(String.format(Locale.ROOT, "Slow consumers: %d healthy subscribers of one stream, %d warm-up + %d"
                    + " measured broadcasts of %d bytes at %d/s, ws_max_pending_size=%s; the slow ones read nothing"
                    + " (4 KiB receive buffer) and send a pong each second. Latency of the healthy subscribers in"
                    + " ms.%n%n", healthy, warmup, messages, size, rate, maxPending));
            out.append("| run | p50 | p95 | p99 | max | delivered | server CPU | heap after GC (MB) |\n");
            out.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
            row(out, "without (before)", before, heapBefore);
            row(out, "with " + slow + " slow", with, heapWith);
            row(out, "without (after)", after, heapAfter);
            out.append(String.format(Locale.ROOT, "%np95 with the slow consumers ÷ p95 without (mean of before and"
                    + " after): **%.2f×**. Slow consumers cut off as too_slow during the run: %d of %d (the first"
                    + " %s, the last %s after the subscribers connected, i.e. after about %.1f MB each); connections"
                    + " left once the healthy ones had closed: %d; heap after GC once every slow one was cut off: %s"
                    + " MB.%n", with.latency().p95() / baseline, tooSlow, slow, seconds(firstCut[0]),
                    seconds(lastCut[0]), lastCut[0] < 0 ? Double.NaN : lastCut[0] * (double) rate * size / 1e6, left,
                    heapAllCut[0] < 0 ? "–" : String.format(Locale.ROOT, "%.1f", heapAllCut[0] / 1024.0)));
        }
        out.append("\nHeap at the end (jcmd GC.class_histogram, top entries):\n\n```\n").append(histogram).append("```\n");
        System.out.println(out);
        String file = System.getProperty("bench.out");
        if (file != null) {
            Files.writeString(Path.of(file), out);
        }
        System.exit(0);
    }

    private static String histogram(long pid, int lines) throws Exception {
        Process p = new ProcessBuilder("jcmd", String.valueOf(pid), "GC.class_histogram").redirectErrorStream(true)
                .start();
        List<String> all = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        p.waitFor(60, TimeUnit.SECONDS);
        StringBuilder top = new StringBuilder();
        all.stream().limit(lines + 3).forEach(line -> top.append(line).append('\n'));
        return top.toString();
    }

    private static String seconds(long s) {
        return s < 0 ? "–" : s + " s";
    }

    private static void report(String what, Fanout.Result r) {
        System.err.println(what + ": " + r.latency() + " delivered " + r.received() + "/" + r.expected()
                + String.format(Locale.ROOT, " server cpu %.0f%%", 100 * r.serverCpu()));
    }

    private static void row(StringBuilder out, String label, Fanout.Result r, long heapKb) {
        var l = r.latency();
        out.append(String.format(Locale.ROOT, "| %s | %.2f | %.2f | %.2f | %.2f | %.2f %% | %.0f %% | %.1f |%n", label,
                l.p50(), l.p95(), l.p99(), l.max(), 100 * r.deliveredShare(), 100 * r.serverCpu(), heapKb / 1024.0));
    }

    private static long count(String text, String needle) {
        long n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    private static int connections(URI base) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(base.resolve("api/health"))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        Matcher m = CONNECTIONS.matcher(r.body());
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    /** A subscriber on a bare socket that reads until its confirmation, then never again. */
    private static final class Stalled {
        private static final SecureRandom RANDOM = new SecureRandom();
        private final Socket socket;
        private final OutputStream out;

        private Stalled(Socket socket) throws IOException {
            this.socket = socket;
            this.out = socket.getOutputStream();
        }

        static Stalled open(URI base, String identifier) throws IOException {
            Socket socket = new Socket();
            socket.setReceiveBufferSize(4096);
            socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 10_000);
            socket.setSoTimeout(30_000);
            byte[] nonce = new byte[16];
            RANDOM.nextBytes(nonce);
            socket.getOutputStream().write(("GET /cable HTTP/1.1\r\nHost: " + base.getHost() + ":" + base.getPort()
                    + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                    + "Sec-WebSocket-Protocol: actioncable-v1-ext-json\r\nSec-WebSocket-Key: "
                    + Base64.getEncoder().encodeToString(nonce) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            DataInputStream in = new DataInputStream(socket.getInputStream());
            int matched = 0;
            while (matched < 4) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("closed during the handshake");
                }
                matched = b == (matched % 2 == 0 ? '\r' : '\n') ? matched + 1 : (b == '\r' ? 1 : 0);
            }
            Stalled stalled = new Stalled(socket);
            while (!text(in).startsWith("{\"type\":\"welcome\"")) {
                // pings
            }
            stalled.send(Cable.subscribe(identifier));
            while (!text(in).startsWith("{\"type\":\"confirm_subscription\"")) {
                // pings
            }
            return stalled; // from here on nothing is read
        }

        private static String text(DataInputStream in) throws IOException {
            in.readUnsignedByte();
            long length = in.readUnsignedByte() & 0x7F;
            if (length == 126) {
                length = in.readUnsignedShort();
            } else if (length == 127) {
                length = in.readLong();
            }
            byte[] payload = new byte[(int) length];
            in.readFully(payload);
            return new String(payload, StandardCharsets.UTF_8);
        }

        synchronized void send(String text) {
            try {
                byte[] payload = text.getBytes(StandardCharsets.UTF_8);
                out.write(dev.jcable.testsupport.ClientFrames.frame(0x1, payload, true));
                out.flush();
            } catch (IOException e) {
                // cut off by the server: nothing more to say
            }
        }

        void pong() {
            send("{\"command\":\"pong\"}");
        }

        void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
