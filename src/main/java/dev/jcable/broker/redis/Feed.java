package dev.jcable.broker.redis;

import java.util.concurrent.atomic.AtomicBoolean;

/** One stream this node is subscribed to. Guarded by its own monitor. */
final class Feed {
    int refs;
    /** Subscriptions made by {@link StreamFeeds#attach} whose confirmation has not been handled yet. */
    int ownSubscriptions;
    String epoch = "";
    long last;
    boolean removed;
    /** Set without the lock (on Lettuce's event loop), read under it by the resync. */
    final AtomicBoolean resyncQueued = new AtomicBoolean();
    /** When presence events were first dropped (epoch millis, less the margin), 0 when none were. */
    volatile long presenceLostSince;
    /** Its catch-up could not read Redis: {@link StreamFeeds#retryCatchUps} brings it up to date. */
    volatile boolean catchUpOwed;
}
