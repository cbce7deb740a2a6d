package dev.jcable.bench;

import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A load generator's fixed-rate schedule, free of coordinated omission: event {@code i} is due at
 * {@code start + i × period} whatever happened to the events before it, is stamped with that <em>scheduled</em>
 * time, and is sent without waiting for earlier ones to be answered (at most {@code maxInFlight} unanswered at once;
 * at the bound the next send waits, late, and the lateness is reported). A receiver that measures
 * receive time − stamp therefore sees every delay the server caused, including the time a request could not even
 * be sent, instead of a publisher that slows down with the server and hides the queue.
 *
 * <p>The same class runs in the load generator (fan-out over HTTP, churn joins and leaves) and inside the server
 * (the Java-API publisher, {@link JavaApiPublishServlet}); it needs nothing but the JDK.
 */
public final class Schedule {

    /** Time, and waiting for it: the system's, or a test's virtual one. */
    public interface Clock {
        long nanoTime();

        /** Wall-clock time in epoch microseconds (the stamps receivers compare with their own clock). */
        long epochMicros();

        /** Returns once {@link #nanoTime()} has reached {@code deadline}. */
        void sleepUntil(long deadline) throws InterruptedException;

        /** Returns once {@code f} is done or {@code timeoutNanos} have passed. */
        void await(CompletableFuture<?> f, long timeoutNanos) throws InterruptedException;
    }

    public static final Clock SYSTEM = new Clock() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public long epochMicros() {
            return Payload.nowMicros();
        }

        @Override
        public void sleepUntil(long deadline) throws InterruptedException {
            for (long wait = deadline - System.nanoTime(); wait > 0; wait = deadline - System.nanoTime()) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
        }

        @Override
        public void await(CompletableFuture<?> f, long timeoutNanos) throws InterruptedException {
            try {
                f.get(timeoutNanos, TimeUnit.NANOSECONDS);
            } catch (ExecutionException | TimeoutException e) {
                // done (failed) or given up: the caller counts what is still open
            }
        }
    };

    /** One event's send: {@code seq} and its scheduled time (epoch µs), to stamp into what it sends. */
    @FunctionalInterface
    public interface Action {
        /** Starts the send and returns at once; the stage completes when it is answered (or fails). */
        CompletionStage<?> send(int seq, long scheduledMicros) throws Exception;
    }

    private final Clock clock;
    private final long startNanos;
    private final long periodNanos;
    private final int count;
    private final int maxInFlight;
    /** epoch µs − nanoTime/1000, fixed once, so that every scheduled time maps to one stamp */
    private final long epochOffsetMicros;

    /**
     * @param startNanos  when event 0 is due, on {@code clock}'s {@link Clock#nanoTime()}
     * @param maxInFlight unanswered sends allowed at once (≥ 1)
     */
    public Schedule(Clock clock, long startNanos, long periodNanos, int count, int maxInFlight) {
        if (periodNanos <= 0 || count < 0 || maxInFlight < 1) {
            throw new IllegalArgumentException("period " + periodNanos + ", count " + count + ", in flight " + maxInFlight);
        }
        this.clock = clock;
        this.startNanos = startNanos;
        this.periodNanos = periodNanos;
        this.count = count;
        this.maxInFlight = maxInFlight;
        this.epochOffsetMicros = clock.epochMicros() - clock.nanoTime() / 1000;
    }

    /** A schedule of {@code count} events at {@code ratePerSecond} on the system clock, the first due after {@code delayMillis}. */
    public static Schedule atRate(int ratePerSecond, int count, int maxInFlight, long delayMillis) {
        return new Schedule(SYSTEM, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMillis),
                1_000_000_000L / ratePerSecond, count, maxInFlight);
    }

    public long scheduledNanos(int seq) {
        return startNanos + seq * periodNanos;
    }

    /** Event {@code seq}'s scheduled time in epoch microseconds: its stamp. */
    public long scheduledMicros(int seq) {
        return scheduledNanos(seq) / 1000 + epochOffsetMicros;
    }

    public int count() {
        return count;
    }

    /**
     * Runs the schedule in the calling thread: sends every event at (or, when held up, after) its scheduled time,
     * then waits up to {@code drainMillis} for the answers still open.
     */
    public Report run(Action action, long drainMillis) throws InterruptedException {
        Latencies response = new Latencies(Math.max(1, count));
        Set<CompletableFuture<?>> open = ConcurrentHashMap.newKeySet();
        AtomicInteger answered = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicReference<Throwable> firstFailure = new AtomicReference<>();
        long maxLate = 0;
        int maxOpen = 0;
        int heldByBound = 0;
        for (int i = 0; i < count; i++) {
            long due = scheduledNanos(i);
            clock.sleepUntil(due);
            if (open.size() >= maxInFlight) {
                heldByBound++;
                for (var pending = open.toArray(CompletableFuture[]::new); pending.length >= maxInFlight;
                        pending = open.toArray(CompletableFuture[]::new)) {
                    clock.await(CompletableFuture.anyOf(pending), Long.MAX_VALUE);
                }
            }
            maxLate = Math.max(maxLate, clock.nanoTime() - due);
            CompletableFuture<Object> done = new CompletableFuture<>();
            open.add(done);
            maxOpen = Math.max(maxOpen, open.size());
            CompletionStage<?> sent;
            try {
                sent = action.send(i, scheduledMicros(i));
            } catch (Exception e) {
                sent = CompletableFuture.failedFuture(e);
            }
            sent.whenComplete((r, e) -> {
                if (e == null) {
                    answered.incrementAndGet();
                    response.add((clock.nanoTime() - due) / 1000);
                } else {
                    failed.incrementAndGet();
                    firstFailure.compareAndSet(null, e);
                }
                open.remove(done);
                done.complete(null);
            });
        }
        long drainUntil = clock.nanoTime() + TimeUnit.MILLISECONDS.toNanos(drainMillis);
        while (!open.isEmpty() && clock.nanoTime() < drainUntil) {
            clock.await(CompletableFuture.allOf(open.toArray(CompletableFuture[]::new)), drainUntil - clock.nanoTime());
        }
        Throwable failure = firstFailure.get();
        return new Report(count, answered.get(), failed.get(), open.size(), maxLate / 1000, maxOpen, maxInFlight,
                heldByBound, response.summary(), failure == null ? null : String.valueOf(failure).replaceAll("\\s+", " "));
    }

    /**
     * What the publisher did.
     *
     * @param maxLateMicros how late the latest send left after its scheduled time (schedule kept ⇔ about 0)
     * @param maxOpen       the most sends unanswered at once
     * @param heldByBound   sends that had to wait for the in-flight bound
     * @param response      answer time of each answered send, from its scheduled time (ms)
     * @param firstFailure  the first failed send, or null
     */
    public record Report(int sent, int answered, int failed, int unanswered, long maxLateMicros, int maxOpen,
                         int bound, int heldByBound, Latencies.Summary response, String firstFailure) {

        /** The schedule held when no send left more than {@code toleranceMillis} late and none waited for the bound. */
        public boolean kept(double toleranceMillis) {
            return heldByBound == 0 && maxLateMicros / 1000.0 <= toleranceMillis;
        }

        /** One line, as the Java-API publisher answers it (see {@link #parse}). */
        public String toWire() {
            return String.format(Locale.ROOT, "sent=%d answered=%d failed=%d unanswered=%d late=%d open=%d bound=%d "
                    + "held=%d n=%d p50=%.3f p95=%.3f p99=%.3f max=%.3f", sent, answered, failed, unanswered,
                    maxLateMicros, maxOpen, bound, heldByBound, response.samples(), response.p50(), response.p95(),
                    response.p99(), response.max()) + (firstFailure == null ? "" : " failure=" + firstFailure);
        }

        private static final Pattern WIRE = Pattern.compile("sent=(\\d+) answered=(\\d+) failed=(\\d+) "
                + "unanswered=(\\d+) late=(\\d+) open=(\\d+) bound=(\\d+) held=(\\d+) n=(\\d+) p50=(\\S+) p95=(\\S+) "
                + "p99=(\\S+) max=(\\S+)(?: failure=(.*))?");

        public static Report parse(String line) {
            Matcher m = WIRE.matcher(line.strip());
            if (!m.matches()) {
                throw new IllegalArgumentException("not a publisher report: " + line);
            }
            return new Report(i(m, 1), i(m, 2), i(m, 3), i(m, 4), Long.parseLong(m.group(5)), i(m, 6), i(m, 7),
                    i(m, 8), new Latencies.Summary(i(m, 9), d(m, 10), d(m, 11), d(m, 12), d(m, 13)), m.group(14));
        }

        private static int i(Matcher m, int g) {
            return Integer.parseInt(m.group(g));
        }

        private static double d(Matcher m, int g) {
            return Double.parseDouble(m.group(g));
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "publisher: %d sent, %d answered, %d failed, %d unanswered; latest "
                    + "send %.1f ms late; in flight max %d of %d (%d sends held by the bound); publish response from "
                    + "schedule %s", sent, answered, failed, unanswered, maxLateMicros / 1000.0, maxOpen, bound,
                    heldByBound, response) + (firstFailure == null ? "" : "; first failure: " + firstFailure);
        }
    }
}
