package dev.jcable.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleSupplier;

/**
 * The deployment's Prometheus registry (Micrometer). It is static on purpose: the layers that count (session,
 * broker) are plain objects built without CDI, and a static in the WAR's class loader lives exactly as long as the
 * deployment. {@link Counter}s and {@link Latency} histograms are registered once here; gauges that read a node's
 * live sizes are added by the node when it starts and removed when it stops ({@link Gauges}). Nothing here calls
 * back into the layers above.
 */
public final class CableMetrics {

    /** The Prometheus text exposition format, version 0.0.4 (what {@link #scrape()} writes). */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private static final PrometheusMeterRegistry REGISTRY = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private static final Timer[] TIMERS = new Timer[Latency.values().length];

    static {
        for (Counter counter : Counter.values()) {
            FunctionCounter.Builder<Counter> builder = FunctionCounter.builder(counter.metric(), counter,
                    Counter::count).description(counter.help());
            if (counter.tagKey() != null) {
                builder.tag(counter.tagKey(), counter.tagValue());
            }
            builder.register(REGISTRY);
        }
        TIMERS[Latency.SEND.ordinal()] = timer(Latency.SEND, 1, 5, 10, 50, 100, 500, 1000, 5000);
        TIMERS[Latency.BROKER_CALL.ordinal()] = timer(Latency.BROKER_CALL, 1, 2, 5, 10, 50, 100, 500, 1000);
        // anycable-go's mem_sys_bytes and goroutines_num, the JVM's way: jvm_memory_*, jvm_threads_*, process CPU
        new JvmMemoryMetrics().bindTo(REGISTRY);
        new JvmThreadMetrics().bindTo(REGISTRY);
        new ProcessorMetrics().bindTo(REGISTRY);
    }

    private CableMetrics() {
    }

    /** Fixed buckets (milliseconds): recording is a search and atomic adds, no allocation (see {@link Latency}). */
    private static Timer timer(Latency latency, long... bucketMillis) {
        Duration[] buckets = new Duration[bucketMillis.length];
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = Duration.ofMillis(bucketMillis[i]);
        }
        return Timer.builder(latency.metric()).description(latency.help()).serviceLevelObjectives(buckets)
                .register(REGISTRY);
    }

    static Timer timer(Latency latency) {
        return TIMERS[latency.ordinal()];
    }

    /** Every metric in the Prometheus text format ({@link #CONTENT_TYPE}); gauges read their values now. */
    public static String scrape() {
        return REGISTRY.scrape();
    }

    /** Gauges of one node, removed together when it stops (so the next node's replace them, e.g. in tests). */
    public static final class Gauges implements AutoCloseable {
        private final List<Meter> meters = new ArrayList<>();

        /** A gauge read when scraped; one of the same name registered before is replaced. */
        public Gauges add(String metric, String help, DoubleSupplier value) {
            Gauge existing = REGISTRY.find(metric).gauge();
            if (existing != null) {
                REGISTRY.remove(existing);
            }
            meters.add(Gauge.builder(metric, value, DoubleSupplier::getAsDouble).description(help)
                    .strongReference(true).register(REGISTRY));
            return this;
        }

        @Override
        public void close() {
            meters.forEach(REGISTRY::remove);
            meters.clear();
        }
    }
}
