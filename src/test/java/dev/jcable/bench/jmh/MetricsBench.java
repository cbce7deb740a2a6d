package dev.jcable.bench.jmh;

import dev.jcable.metrics.Counter;
import dev.jcable.metrics.Latency;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;

/**
 * What the metrics add where frames go out and come in (JMH 1.37): per completed write, the outbox takes a
 * {@link System#nanoTime()} reading when the write starts and, when it completes, records the latency and adds to
 * two counters; per inbound frame the node adds to two counters. {@code nanoTime} alone is the floor to compare
 * with. Run with 1 and 2 threads ({@code -t}): the counters and the histogram are shared by every connection.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class MetricsBench {

    @Benchmark
    public long nanoTime() {
        return System.nanoTime();
    }

    @Benchmark
    public void completedWrite() {
        long start = System.nanoTime();
        Latency.SEND.since(start);
        Counter.SERVER_MSG.add(3);
        Counter.DATA_SENT.add(600);
    }

    @Benchmark
    public void inboundFrame() {
        Counter.CLIENT_MSG.increment();
        Counter.DATA_RCVD.add(120);
    }
}
