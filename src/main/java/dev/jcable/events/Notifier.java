package dev.jcable.events;

import dev.jcable.api.ConnectionClosed;
import dev.jcable.api.ConnectionOpened;
import dev.jcable.api.PresenceJoined;
import dev.jcable.api.PresenceLeft;
import dev.jcable.hub.DeliveryPool;
import dev.jcable.metrics.Counter;
import dev.jcable.protocol.JsonText;
import dev.jcable.protocol.PresenceEvent;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Turns presence transitions and connection changes into application events, off the caller's thread: the broker
 * reports transitions under its locks and the endpoint reports connections on the container's threads, and neither
 * may wait for an observer. Events of one stream (or one connection) are delivered in order, on a pool of their
 * own, so a slow observer never holds up message delivery.
 *
 * <p>Bounded by the pool: while a stream's (or connection's) events are {@link DeliveryPool#MAX_QUEUED} behind, or
 * the pool's shard {@link DeliveryPool#MAX_QUEUED_SHARD}, further events for it are dropped, counted in
 * {@code jcable_dropped_total{what="application_event"}} and logged (WARNING once, FINE after): observers slower
 * than the events they are sent lose some, never the node its memory.
 */
public final class Notifier {

    private static final Logger LOG = Logger.getLogger(Notifier.class.getName());

    private final DeliveryPool pool;
    private final List<EventSink> sinks;
    private final PresenceWebhook webhook;
    private final PusherWebhook pusherWebhook;
    private final AtomicBoolean saidDropped = new AtomicBoolean();

    /** @param webhook the presence webhook, or null when none is configured */
    public Notifier(DeliveryPool pool, List<EventSink> sinks, PresenceWebhook webhook) {
        this(pool, sinks, webhook, null);
    }

    /** @param pusherWebhook Pusher's webhook (Pusher mode with pusher_webhook_url), or null */
    public Notifier(DeliveryPool pool, List<EventSink> sinks, PresenceWebhook webhook, PusherWebhook pusherWebhook) {
        this.pool = pool;
        this.sinks = List.copyOf(sinks);
        this.webhook = webhook;
        this.pusherWebhook = pusherWebhook;
    }

    /** A first join or last leave this node made (reported once for the cluster). */
    public void presenceChanged(String stream, PresenceEvent event, int members) {
        if (webhook != null) {
            webhook.changed(stream, event, members); // only queues
        }
        if (pusherWebhook != null) {
            pusherWebhook.changed(stream, event, members); // only queues
        }
        if (sinks.isEmpty()) {
            return;
        }
        submit(stream, () -> fire(event.join()
                ? new PresenceJoined(stream, event.id(), event.info() == null ? JsonValue.NULL : parse(event.info()),
                        event.seq())
                : new PresenceLeft(stream, event.id(), event.seq())));
    }

    /** A stream's first subscriber in the cluster, or its last one gone (reported once for the cluster). */
    public void occupancyChanged(String stream, boolean occupied) {
        if (pusherWebhook != null) {
            pusherWebhook.occupancyChanged(stream, occupied); // only queues
        }
    }

    /** A Pusher client event sent by a connection of this node: Pusher's {@code client_event} webhook. */
    public void clientEvent(String channel, String event, String data, String socketId, String userId) {
        if (pusherWebhook != null) {
            pusherWebhook.clientEvent(channel, event, data, socketId, userId); // only queues
        }
    }

    public void opened(String sid, String identifiers) {
        if (!sinks.isEmpty()) {
            submit(sid, () -> fire(new ConnectionOpened(sid, object(identifiers))));
        }
    }

    public void closed(String sid, String identifiers) {
        if (!sinks.isEmpty()) {
            submit(sid, () -> fire(new ConnectionClosed(sid, object(identifiers))));
        }
    }

    public void stop() {
        pool.stop();
        if (webhook != null) {
            webhook.stop();
        }
        if (pusherWebhook != null) {
            pusherWebhook.stop();
        }
    }

    private void submit(String key, Runnable event) {
        if (pool.accepts(key)) {
            pool.submit(key, event);
            return;
        }
        Counter.DROPPED_APPLICATION_EVENT.increment();
        if (saidDropped.compareAndSet(false, true)) {
            LOG.warning(() -> "jcable: application events for " + key + " are " + DeliveryPool.MAX_QUEUED
                    + " behind (an observer slower than its events); dropping them (logged once; every one is"
                    + " counted in jcable_dropped_total{what=\"application_event\"})");
        } else {
            LOG.fine(() -> "jcable: an application event for " + key + " dropped: its observers are behind");
        }
    }

    private void fire(Object event) {
        for (EventSink sink : sinks) {
            try {
                sink.fire(event);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "jcable: delivering " + event + " failed", e);
            }
        }
    }

    private static JsonValue parse(String json) {
        try {
            return JsonText.parse(json);
        } catch (JsonException e) {
            return JsonValue.NULL; // never stored unparsable: info is checked JSON when it joins
        }
    }

    private static JsonObject object(String identifiers) {
        JsonValue value = identifiers == null ? null : parse(identifiers);
        return value != null && value.getValueType() == JsonValue.ValueType.OBJECT ? value.asJsonObject()
                : JsonValue.EMPTY_JSON_OBJECT;
    }
}
