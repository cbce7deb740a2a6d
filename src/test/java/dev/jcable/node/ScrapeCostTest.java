package dev.jcable.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.broker.Publication;
import dev.jcable.config.Option;
import dev.jcable.metrics.CableMetrics;
import dev.jcable.protocol.JsonText;
import dev.jcable.session.OutboxTest;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.reflect.Field;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What one {@code /metrics} scrape costs at 10,000 connections and 3,000 streams (each with presence members and
 * history), against 100 connections and 30 streams, on a real node (docs/BENCHMARKS.md, "Scrape cost"). Every gauge
 * reads a figure kept as things change, so the large node's scrape costs about what the small one's does; before,
 * it walked every presence stream and history log four times under their locks and every connection three times.
 */
class ScrapeCostTest {

    private static final int SCRAPES = 300;
    /**
     * Scrapes timed together per sample: one scrape of the node's gauges takes well under a microsecond once
     * compiled, close to System.nanoTime()'s own cost and granularity, and a median of single scrapes compared "1 µs
     * vs 0 µs" on a loaded machine; a batch is timed well above that.
     */
    private static final int BATCH = 100;

    /** The median time of one scrape, in microseconds, on a node with this many connections and streams. */
    private static double medianScrapeMicros(int connections, int streams) {
        try (NodeHarness harness = new NodeHarness(Map.of(Option.PUBLIC_STREAMS, "true", Option.PING_INTERVAL, "0",
                Option.ENABLE_NATIVE_PINGS, "false"))) {
            for (int i = 0; i < connections; i++) {
                OutboxTest.FakeSocket socket = harness.open("actioncable-v1-ext-json");
                String identifier = JsonText.quote("{\"channel\":\"$pubsub\",\"stream_name\":\"s" + (i % streams)
                        + "\"}");
                harness.node.receive(socket.session, "{\"command\":\"subscribe\",\"identifier\":" + identifier
                        + ",\"presence\":{\"id\":\"u" + i + "\"}}", true);
            }
            for (int s = 0; s < streams; s++) {
                harness.node.publish(new Publication("s" + s, "1"));
            }
            String scrape = CableMetrics.scrape();
            assertTrue(scrape.contains("anycable_go_clients_num " + connections + ".0"), "the node is that large");
            assertTrue(scrape.contains("jcable_presence_members " + connections + ".0"));
            assertTrue(scrape.contains("jcable_history_streams " + streams + ".0"));
            List<Gauge> gauges = nodeGauges();
            assertEquals(9, gauges.size(), String.valueOf(gauges));
            long[] nanos = new long[SCRAPES];
            double sink = 0;
            for (int warm = 0; warm < SCRAPES; warm++) {
                sink += read(gauges);
            }
            for (int i = 0; i < SCRAPES; i++) {
                long start = System.nanoTime();
                for (int b = 0; b < BATCH; b++) {
                    sink += read(gauges);
                }
                nanos[i] = (System.nanoTime() - start) / BATCH;
            }
            assertTrue(sink > 0);
            Arrays.sort(nanos);
            return nanos[SCRAPES / 2] / 1000.0;
        }
    }

    /**
     * The node's own gauges, as a scrape reads them. The rest of a scrape (Micrometer's text, the JVM binders, whose
     * thread-state gauges stop the JVM at a safepoint and so vary with the machine's load by milliseconds) does not
     * depend on connections or streams, and is left out so that the figure shows what does.
     */
    private static List<Gauge> nodeGauges() {
        try {
            Field field = CableMetrics.class.getDeclaredField("REGISTRY");
            field.setAccessible(true);
            MeterRegistry registry = (MeterRegistry) field.get(null);
            return registry.getMeters().stream().filter(m -> m instanceof Gauge)
                    .filter(m -> m.getId().getName().startsWith("anycable_go_")
                            || m.getId().getName().startsWith("jcable_"))
                    .filter(m -> !m.getId().getName().endsWith("_max")).map(Gauge.class::cast).toList();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static double read(List<Gauge> gauges) {
        double sum = 0;
        for (Gauge gauge : gauges) {
            sum += gauge.value();
        }
        return sum;
    }

    @Test
    void aScrapeOfTenThousandConnectionsAndThreeThousandStreamsCostsAboutWhatASmallNodesDoes() {
        medianScrapeMicros(100, 30); // warm-up: the JIT compiles the scrape
        double small = medianScrapeMicros(100, 30);
        double large = medianScrapeMicros(10_000, 3_000);
        double smallAgain = medianScrapeMicros(100, 30);
        double base = Math.min(small, smallAgain);
        System.out.printf(Locale.ROOT, "scrape cost (the node's gauges): median %.1f µs at 100 connections / 30 streams (%.1f before, %.1f"
                + " after), %.1f µs at 10,000 / 3,000 (%.2f×)%n", base, small, smallAgain, large, large / base);
        assertEquals(true, large < 2.5 * base, String.format(Locale.ROOT,
                "a scrape must not grow with connections and streams: %.2f µs vs %.2f µs", large, base));
    }
}
