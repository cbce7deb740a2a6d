package dev.jcable.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** One connection's commands: a step that waits for an answer holds the next ones back, and they keep their order. */
class LaneTest {

    @Test
    void aStepWaitingForAnAnswerHoldsTheNextOnesInOrder() {
        Lane lane = new Lane(10);
        List<String> ran = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> answer = new CompletableFuture<>();
        lane.submit(() -> {
            ran.add("subscribe");
            return answer;
        });
        lane.submit(() -> {
            ran.add("message");
            return null;
        });
        lane.submit(() -> {
            ran.add("unsubscribe");
            return null;
        });
        assertEquals(List.of("subscribe"), ran); // the submitting thread did not wait
        assertEquals(2, lane.waiting());
        answer.complete(null); // the answer's thread runs the rest
        assertEquals(List.of("subscribe", "message", "unsubscribe"), ran);
        assertEquals(0, lane.waiting());
    }

    @Test
    void aFullLaneRefusesAndAFailingStepDoesNotStopIt() {
        Lane lane = new Lane(1);
        CompletableFuture<Void> answer = new CompletableFuture<>();
        List<String> ran = new CopyOnWriteArrayList<>();
        assertTrue(lane.submit(() -> answer));
        assertTrue(lane.submit(() -> {
            throw new IllegalStateException("boom");
        }));
        assertFalse(lane.submit(() -> null));
        answer.complete(null);
        assertTrue(lane.submit(() -> {
            ran.add("after");
            return null;
        }));
        assertEquals(List.of("after"), ran);
    }
}
