package dev.jcable.session;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * A connection's live messages held back per subscription while that subscription's history is served first
 * ({@link CableSession#hold}), so the client sees its stream's offsets in order. Made on a session's first hold.
 */
final class HeldFrames {

    /** Live messages held back per subscription while its history is pending; beyond this they go out at once. */
    static final int MAX_HELD = 1000;

    private final Map<String, List<Frame>> held = new ConcurrentHashMap<>(4);

    /** Holds {@code frame} if {@code identifier} is held and has room; false when it must go out now. */
    boolean offer(String identifier, Frame frame) {
        if (held.isEmpty()) {
            return false;
        }
        List<Frame> waiting = held.get(identifier);
        if (waiting != null) {
            synchronized (waiting) {
                if (held.get(identifier) == waiting && waiting.size() < MAX_HELD) {
                    waiting.add(frame);
                    return true;
                }
            }
        }
        return false;
    }

    void hold(String identifier) {
        held.putIfAbsent(identifier, new ArrayList<>()); // a hold already in place keeps what waits in it
    }

    /**
     * Hands what waited for {@code identifier} to {@code out}. The hold ends inside the lock, once what waited is
     * queued: a delivery racing the release waits for the lock and goes out after it, never ahead of it.
     */
    void release(String identifier, Consumer<Frame> out) {
        List<Frame> waiting = held.get(identifier);
        if (waiting != null) {
            synchronized (waiting) {
                if (held.get(identifier) == waiting) {
                    waiting.forEach(out);
                    waiting.clear();
                    held.remove(identifier, waiting); // only now: until here a racing delivery waits for the lock
                }
            }
        }
    }

    void discard(String identifier) {
        held.remove(identifier);
    }
}
