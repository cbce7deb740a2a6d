package dev.jcable.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** shutdown_drain_window: the goodbyes in even batches, one per tick, on a clock the test moves. */
class DrainTest {

    private long now;
    /** Per batch: the time it was told at (ms after the start) and how many it told. */
    private final List<String> told = new ArrayList<>();

    private void drain(int connections, long windowMillis) {
        List<Integer> all = IntStream.range(0, connections).boxed().toList();
        long[] last = {-1};
        Drain.run(all, windowMillis, one -> {
            if (last[0] != now) {
                told.add(now / 1_000_000 + "ms:1");
                last[0] = now;
            } else {
                String batch = told.remove(told.size() - 1);
                int colon = batch.indexOf(':');
                told.add(batch.substring(0, colon + 1) + (Integer.parseInt(batch.substring(colon + 1)) + 1));
            }
        }, () -> now, nanos -> now = nanos);
    }

    @Test
    void tenThousandOverTenSecondsAreAHundredBatchesOfAHundredOneTickApart() {
        drain(10_000, 10_000);
        assertEquals(100, told.size());
        for (int i = 0; i < 100; i++) {
            assertEquals(i * 100 + "ms:100", told.get(i));
        }
    }

    @Test
    void unevenCountsSpreadTheRemainderAndNobodyIsToldTwiceOrLeftOut() {
        drain(250, 1_000); // 10 ticks
        assertEquals(List.of("0ms:25", "100ms:25", "200ms:25", "300ms:25", "400ms:25", "500ms:25", "600ms:25",
                "700ms:25", "800ms:25", "900ms:25"), told);
        told.clear();
        now = 0;
        drain(7, 1_000); // fewer connections than ticks: one per batch, spread over the window
        assertEquals(7, told.size());
        assertTrue(told.stream().allMatch(b -> b.endsWith(":1")), told.toString());
        assertEquals("857ms:1", told.get(6));
    }

    @Test
    void noWindowTellsEveryoneAtOnce() {
        drain(1_000, 0);
        assertEquals(List.of("0ms:1000"), told);
        assertEquals(1, Drain.batches(1, 10_000));
        assertEquals(1, Drain.batches(1_000, 50));
    }

    @Test
    void anInterruptedDrainTellsTheRestAtOnceAndKeepsTheInterrupt() {
        List<Integer> all = IntStream.range(0, 100).boxed().toList();
        List<Integer> seen = new ArrayList<>();
        Drain.run(all, 10_000, seen::add, () -> 0, nanos -> {
            throw new InterruptedException();
        });
        assertEquals(all, seen);
        assertTrue(Thread.interrupted()); // and clears it for the next test
    }
}
