package dev.jcable.bench;

import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/** A bounded, lock-free recorder of latencies in microseconds. */
public final class Latencies {

    private final long[] values;
    private final AtomicInteger count = new AtomicInteger();

    public Latencies(int capacity) {
        values = new long[capacity];
    }

    public void add(long micros) {
        int i = count.getAndIncrement();
        if (i < values.length) {
            values[i] = micros;
        }
    }

    public int count() {
        return Math.min(count.get(), values.length);
    }

    public Summary summary() {
        long[] v = Arrays.copyOf(values, count());
        Arrays.sort(v);
        if (v.length == 0) {
            return new Summary(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        return new Summary(v.length, pct(v, 50), pct(v, 95), pct(v, 99), v[v.length - 1] / 1000.0);
    }

    private static double pct(long[] sorted, double p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1000.0;
    }

    /** Percentiles in milliseconds. */
    public record Summary(int samples, double p50, double p95, double p99, double max) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "n=%d p50=%.2fms p95=%.2fms p99=%.2fms max=%.2fms", samples, p50, p95,
                    p99, max);
        }
    }
}
