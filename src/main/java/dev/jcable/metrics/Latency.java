package dev.jcable.metrics;

import java.util.concurrent.TimeUnit;

/**
 * The latencies jcable measures, as Prometheus histograms ({@code _seconds_bucket}, {@code _sum}, {@code _count},
 * plus {@code _max}). Recording allocates nothing and waits for no lock (fixed buckets, atomic adds; the window of
 * {@code _max} is rotated now and then by one recording thread while the others carry on); callers take
 * {@link System#nanoTime()} themselves, so a layer that records knows nothing of the metrics library.
 */
public enum Latency {
    /** One write to a client's socket: from handing a batch of frames to the container until it reports done. */
    SEND("jcable_send", "Time one write of queued frames to a client took, until the container reported it done"),
    /** A thread of this node waiting for Redis (broker=redis): scripts, publishes, session cache reads. */
    BROKER_CALL("jcable_broker_call", "Time a node thread waited for a broker (Redis) answer");

    private final String metric;
    private final String help;

    Latency(String metric, String help) {
        this.metric = metric;
        this.help = help;
    }

    /** Records the time since {@code startNanos} (a {@link System#nanoTime()} reading). */
    public void since(long startNanos) {
        CableMetrics.timer(this).record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    }

    public String metric() {
        return metric;
    }

    String help() {
        return help;
    }
}
