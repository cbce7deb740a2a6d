package dev.jcable.events;

import dev.jcable.config.CableConfig;
import dev.jcable.config.PusherConfig;
import dev.jcable.protocol.JsonText;
import dev.jcable.protocol.PresenceEvent;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.regex.Pattern;

/**
 * Pusher's webhooks ({@code pusher_webhook_url}): {@code {"time_ms":…,"events":[…]}} signed with
 * {@code X-Pusher-Key} and {@code X-Pusher-Signature} = hex(HMAC-SHA256(pusher_secret, body)), which the Pusher SDKs'
 * webhook validation accepts. Batching, retries and bounds are the presence webhook's ({@link PresenceWebhook}, with
 * {@code presence_webhook_batch} and {@code presence_webhook_retry}). Presence transitions come once per cluster, from
 * the presence store, so a presence channel's {@code channel_occupied} and {@code channel_vacated} are its first
 * member and last one leaving; a public or private channel's are its first subscriber in the cluster and its last
 * one gone (the broker's occupancy, also once per cluster; docs/pusher.md).
 */
public final class PusherWebhook {

    /** Only streams a Pusher client could subscribe to are reported. */
    private static final Pattern CHANNEL = Pattern.compile("presence-[A-Za-z0-9_\\-=@,.;]{1,155}");
    /** Public and private channels: Pusher's characters and length. */
    private static final Pattern OTHER_CHANNEL = Pattern.compile("[A-Za-z0-9_\\-=@,.;]{1,164}");

    private final PresenceWebhook webhook;

    PusherWebhook(PresenceWebhook webhook) {
        this.webhook = webhook;
    }

    /** The webhook {@code pusher_webhook_url} asks for in Pusher mode, or null. */
    public static PusherWebhook configured(CableConfig config, Executor executor, ScheduledExecutorService scheduler) {
        PusherConfig pusher = config.pusher();
        if (!pusher.enabled() || pusher.webhookUrl().isEmpty()) {
            return null;
        }
        PresenceWebhook.Format format = new PresenceWebhook.Format("time_ms", "X-Pusher-Signature",
                List.of("X-Pusher-Key", pusher.appKey()));
        return new PusherWebhook(new PresenceWebhook(URI.create(pusher.webhookUrl()), format, pusher.secret(),
                config.presenceWebhookBatch(), config.presenceWebhookRetry(),
                () -> HttpClient.newBuilder().executor(executor).connectTimeout(Duration.ofSeconds(5)).build(), scheduler,
                System::currentTimeMillis));
    }

    /** A presence transition (once per cluster): member_added / member_removed, and the occupied / vacated edges. */
    public void changed(String stream, PresenceEvent event, int members) {
        if (!CHANNEL.matcher(stream).matches()) {
            return;
        }
        String channel = ",\"channel\":" + JsonText.quote(stream);
        if (event.join()) {
            if (members == 1) {
                webhook.offer("{\"name\":\"channel_occupied\"" + channel + "}");
            }
            webhook.offer("{\"name\":\"member_added\"" + channel + ",\"user_id\":" + JsonText.quote(event.id()) + "}");
        } else {
            webhook.offer("{\"name\":\"member_removed\"" + channel + ",\"user_id\":" + JsonText.quote(event.id())
                    + "}");
            if (members == 0) {
                webhook.offer("{\"name\":\"channel_vacated\"" + channel + "}");
            }
        }
    }

    /**
     * A stream's first subscriber in the cluster or its last one gone: {@code channel_occupied} / {@code
     * channel_vacated} of a public or private channel (a presence channel's come with its members, above).
     */
    public void occupancyChanged(String stream, boolean occupied) {
        if (!OTHER_CHANNEL.matcher(stream).matches() || stream.startsWith("presence-")) {
            return;
        }
        webhook.offer("{\"name\":\"" + (occupied ? "channel_occupied" : "channel_vacated") + "\",\"channel\":"
                + JsonText.quote(stream) + "}");
    }

    /** A client event a connection of this node sent (its data as the client sent it, a string). */
    public void clientEvent(String channel, String event, String data, String socketId, String userId) {
        webhook.offer("{\"name\":\"client_event\",\"channel\":" + JsonText.quote(channel) + ",\"event\":"
                + JsonText.quote(event) + ",\"data\":" + JsonText.quote(data) + ",\"socket_id\":"
                + JsonText.quote(socketId) + (userId == null ? "" : ",\"user_id\":" + JsonText.quote(userId)) + "}");
    }

    public void stop() {
        webhook.stop();
    }
}
