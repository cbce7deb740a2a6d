package dev.jcable.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One abusive client among healthy ones ({@code bench/run.sh noisy}): the fan-out latency of {@code bench.healthy}
 * (1,000) subscribers of one stream, measured without noise, then while one client pipelines {@code join}/{@code
 * leave}, {@code whisper} or {@code presence} frames as fast as its socket takes them into another stream that has
 * {@code bench.members} (10,000) subscribers, then without noise again. Reported: each run's latency and the ratio of
 * p95 with the noise to p95 without (the mean of the runs before and after), what the abuser sent, and what the
 * server dropped at its bounds (its log's WARNINGs). The room's subscribers read on an HTTP client of their own.
 */
public final class NoisyNeighbour {

    private static final String ROOM = "bench/noisy";

    private NoisyNeighbour() {
    }

    public static void main(String[] args) throws Exception {
        int healthy = Bench.intProp("healthy", 1000);
        int members = Bench.intProp("members", 10_000);
        int warmup = Bench.intProp("warmup", 20);
        int messages = Bench.intProp("messages", 400);
        int rate = Bench.intProp("rate", 20);
        int size = Bench.intProp("payload", 200);
        int inFlight = Bench.intProp("maxInFlight", 64);
        List<String> modes = List.of(Bench.prop("noise", "joinleave,whisper,presence").split(","));
        Path war = Wars.export(Wars.jcable(Bench.jcableWar()), "jcable-bench.war");
        HttpClient ws = Conn.client();
        HttpClient roomClient = Conn.client();
        Fanout.Settings settings = new Fanout.Settings(healthy, warmup, messages, rate, size, inFlight);
        StringBuilder out = new StringBuilder("<!-- noisy " + ZonedDateTime.now() + " -->\n");
        try (Server server = Bench.jakarta(war, Bench.jcableOptions("-Danycable.streams_presence=true",
                "-Danycable.streams_whisper=true"))) {
            Fanout.Target target = new Fanout.Target("jcable /_broadcast", Fanout.Kind.JCABLE_HTTP, server.base(),
                    Bench.SECRET);
            Fanout.run(ws, target, new Fanout.Settings(healthy, 0, 200, 50, size, inFlight), server::cpuNanos);

            String identifier = Cable.identifier(Bench.SECRET, ROOM);
            URI cable = URI.create("ws://127.0.0.1:" + server.base().getPort() + "/cable");
            CountDownLatch subscribed = new CountDownLatch(members);
            AtomicLong roomFrames = new AtomicLong();
            List<Conn> room = Conn.openAll(roomClient, cable, "actioncable-v1-ext-json", 0, members, 64,
                    i -> (conn, frame) -> {
                        if (Cable.welcome(frame)) {
                            conn.send(Cable.subscribe(identifier));
                        } else if (Cable.confirmed(frame)) {
                            subscribed.countDown();
                        } else {
                            roomFrames.incrementAndGet();
                        }
                    });
            if (!subscribed.await(120, TimeUnit.SECONDS)) {
                throw new IllegalStateException("only " + (members - subscribed.getCount()) + " room subscribers");
            }
            System.err.println(members + " room subscribers in");

            Fanout.Result before = Fanout.run(ws, target, settings, server::cpuNanos);
            report("without noise (before)", before);
            List<Object[]> noisy = new ArrayList<>();
            for (String mode : modes) {
                long framesBefore = roomFrames.get();
                Abuser abuser = Abuser.start(roomClient, cable, identifier, mode);
                Fanout.Result with = Fanout.run(ws, target, settings, server::cpuNanos);
                long sent = abuser.stop();
                report("with " + mode + " noise (" + sent + " frames sent)", with);
                noisy.add(new Object[] {mode, with, sent, with.seconds(), roomFrames.get() - framesBefore});
            }
            Fanout.Result after = Fanout.run(ws, target, settings, server::cpuNanos);
            report("without noise (after)", after);
            room.forEach(Conn::close);
            String log = server.log();

            double baseline = (before.latency().p95() + after.latency().p95()) / 2;
            out.append(String.format(Locale.ROOT, "Noisy neighbour: %d healthy subscribers of one stream, %d warm-up"
                    + " + %d measured broadcasts of %d bytes at %d/s; one abusive client pipelines frames into a"
                    + " stream with %d other subscribers while the healthy stream is measured. Latency of the healthy"
                    + " subscribers in ms.%n%n", healthy, warmup, messages, size, rate, members));
            out.append("| run | p50 | p95 | p99 | max | delivered | server CPU | p95 ÷ p95 without | abuser's frames"
                    + " (per s) | frames to the room |\n");
            out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            row(out, "without (before)", before, baseline, "", "");
            for (Object[] n : noisy) {
                Fanout.Result r = (Fanout.Result) n[1];
                row(out, "with `" + n[0] + "` noise", r, baseline, String.format(Locale.ROOT, "%d (%.0f)", (long) n[2],
                        (long) n[2] / r.seconds()), String.valueOf((long) n[4]));
            }
            row(out, "without (after)", after, baseline, "", "");
            out.append(String.format(Locale.ROOT, "%nServer log at the bounds: %d × `out_of_sync` resync WARNING, %d ×"
                    + " whisper refused WARNING, %d × `too_slow`.%n", count(log, "are disconnected with out_of_sync"),
                    count(log, "was refused: its fan-outs are"), count(log, "disconnecting it as too_slow")));
        }
        System.out.println(out);
        String file = System.getProperty("bench.out");
        if (file != null) {
            Files.writeString(Path.of(file), out);
        }
        System.exit(0);
    }

    /** One client sending {@code mode}'s frames back to back, as fast as its socket takes them. */
    private static final class Abuser {
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicLong sent = new AtomicLong();
        private final Thread thread;
        private final Conn conn;

        private Abuser(Conn conn, String identifier, String mode) {
            this.conn = conn;
            String quoted = Payload.quoted(identifier);
            String[] frames = switch (mode) {
                case "joinleave" -> new String[] {Cable.join(identifier, "abuser"), Cable.leave(identifier)};
                case "whisper" -> new String[] {"{\"command\":\"whisper\",\"identifier\":" + quoted
                        + ",\"data\":{\"typing\":true}}"};
                case "presence" -> new String[] {"{\"command\":\"presence\",\"identifier\":" + quoted + "}"};
                default -> throw new IllegalArgumentException("noise: joinleave|whisper|presence, not " + mode);
            };
            thread = new Thread(() -> {
                CompletableFuture<?> last = CompletableFuture.completedFuture(null);
                for (long i = 0; !stop.get() && !conn.closed.isDone(); i++) {
                    last = conn.send(frames[(int) (i % frames.length)]);
                    sent.incrementAndGet();
                    if (i % 64 == 63) {
                        last.orTimeout(30, TimeUnit.SECONDS).exceptionally(e -> null).join(); // at line rate
                    }
                }
            }, "abuser");
        }

        static Abuser start(HttpClient client, URI cable, String identifier, String mode) throws Exception {
            CountDownLatch ready = new CountDownLatch(1);
            Conn conn = Conn.open(client, cable, "actioncable-v1-ext-json", (c, frame) -> {
                if (Cable.welcome(frame)) {
                    c.send(Cable.subscribe(identifier));
                } else if (Cable.confirmed(frame)) {
                    ready.countDown();
                }
            }).get(60, TimeUnit.SECONDS);
            if (!ready.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the abuser could not subscribe");
            }
            Abuser abuser = new Abuser(conn, identifier, mode);
            abuser.thread.start();
            return abuser;
        }

        long stop() throws InterruptedException {
            stop.set(true);
            thread.join(60_000);
            conn.close();
            return sent.get();
        }
    }

    private static void report(String what, Fanout.Result r) {
        System.err.println(what + ": " + r.latency() + " delivered " + r.received() + "/" + r.expected()
                + String.format(Locale.ROOT, " server cpu %.0f%%", 100 * r.serverCpu()));
    }

    private static void row(StringBuilder out, String label, Fanout.Result r, double baseline, String sent,
                            String roomFrames) {
        var l = r.latency();
        out.append(String.format(Locale.ROOT, "| %s | %.2f | %.2f | %.2f | %.2f | %.2f %% | %.0f %% | %.2f× | %s | %s |%n",
                label, l.p50(), l.p95(), l.p99(), l.max(), 100 * r.deliveredShare(), 100 * r.serverCpu(),
                l.p95() / baseline, sent, roomFrames));
    }

    private static long count(String text, String needle) {
        long n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }
}
