package dev.jcable.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.bench.jmh.BrokerBench;
import org.junit.jupiter.api.Test;

/**
 * Keeps the JMH benchmarks compiling and correct in the default build: calls each benchmark method a few times
 * directly (no JMH harness, milliseconds). The real run is {@code bench/run.sh jmh}.
 */
class BrokerBenchSmokeTest {

    @Test
    void everyBenchmarkMethodRunsAndDoesItsWork() {
        BrokerBench bench = new BrokerBench();
        BrokerBench.Node node = new BrokerBench.Node();
        node.setup();
        BrokerBench.Mine mine = new BrokerBench.Mine();
        mine.setup(node);
        for (int i = 0; i < 1000; i++) {
            assertTrue(bench.presenceAddRemove(node, mine), "join then leave");
            assertEquals(100, bench.presenceInfo(node, mine).total());
            assertEquals(10, bench.historyRead(node, mine).orElseThrow().size());
            bench.historyAppend(node, mine);
            assertEquals("chat/room:42", ((jakarta.json.JsonString) bench.verifySignedStream(node).orElseThrow())
                    .getString());
        }
    }

    @Test
    void payloadsCarryTheirStampAndSize() {
        String p = Payload.make(1234567L, 42, 200);
        assertEquals(200, p.length());
        assertEquals(1234567L, Payload.field(p, "\"t\":"));
        assertEquals(42L, Payload.field(p, "\"s\":"));
        Latencies l = new Latencies(100);
        for (int i = 1; i <= 100; i++) {
            l.add(i * 1000L);
        }
        assertEquals(95.0, l.summary().p95());
    }
}
