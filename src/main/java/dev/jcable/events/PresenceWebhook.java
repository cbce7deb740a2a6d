package dev.jcable.events;

import dev.jcable.config.CableConfig;
import dev.jcable.metrics.Counter;
import dev.jcable.protocol.JsonText;
import dev.jcable.protocol.PresenceEvent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Presence webhooks, Pusher's model: transitions are gathered for {@code batch}, then POSTed as
 * {@code {"time":…,"events":[…]}} with {@code X-Jcable-Signature: hex(HMAC-SHA256(secret, body))}. One POST is in
 * flight at a time; a failed one (no answer, or not 2xx) is sent again with exponential backoff until {@code retry}
 * after its first attempt, and later events wait behind it, so a receiver that comes back in time gets every event in
 * order. Nothing here blocks a caller: {@link #changed} only queues, at most {@link #CAPACITY} events (the oldest are
 * dropped beyond, with one WARNING per overflow). Every event dropped, at the bound or with a POST given up, is counted
 * in {@code jcable_dropped_total{what="webhook_event"}}.
 */
public final class PresenceWebhook {

    private static final Logger LOG = Logger.getLogger(PresenceWebhook.class.getName());
    /** Events waiting to be sent, at most. */
    public static final int CAPACITY = 10_000;
    /** Events per POST, at most. */
    public static final int MAX_BATCH = 100;
    private static final long MAX_BACKOFF_MILLIS = 30_000;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private final URI url;
    /** The URL as WARNING lines show it: no userinfo, no query values (a receiver's key often rides there). */
    private final String shown;
    private final Format format;
    private final SecretKeySpec key;
    private final long batchMillis;
    private final long retryMillis;
    private final java.util.function.Supplier<HttpClient> clientFactory;
    private HttpClient http; // made at the first POST: the JDK client starts a selector thread that Java 17 cannot end
    private final ScheduledExecutorService scheduler;
    private final LongSupplier clock;
    private final ArrayDeque<String> queue = new ArrayDeque<>();
    private boolean busy; // a flush is scheduled or a POST is in flight
    private boolean overflowing;
    private long dropped;
    private volatile boolean stopped;

    /**
     * What a POST looks like: jcable's ({@link #JCABLE}) or Pusher's ({@link PusherWebhook}).
     *
     * @param timeField       the body's field of the time of the POST, in epoch milliseconds
     * @param signatureHeader the header of hex(HMAC-SHA256(secret, body))
     * @param headers         further headers (name, value, name, value, …)
     */
    public record Format(String timeField, String signatureHeader, List<String> headers) {
    }

    public static final Format JCABLE = new Format("time", "X-Jcable-Signature", List.of());

    public PresenceWebhook(URI url, String secret, Duration batch, Duration retry, HttpClient http,
                           ScheduledExecutorService scheduler, LongSupplier clock) {
        this(url, JCABLE, secret, batch, retry, () -> http, scheduler, clock);
    }

    public PresenceWebhook(URI url, Format format, String secret, Duration batch, Duration retry, HttpClient http,
                           ScheduledExecutorService scheduler, LongSupplier clock) {
        this(url, format, secret, batch, retry, () -> http, scheduler, clock);
    }

    /** {@code clientFactory} is called at the first POST: the JDK client starts a thread when it is built. */
    public PresenceWebhook(URI url, Format format, String secret, Duration batch, Duration retry,
                           java.util.function.Supplier<HttpClient> clientFactory, ScheduledExecutorService scheduler,
                           LongSupplier clock) {
        this.url = url;
        this.shown = CableConfig.redactUrl(url.toString());
        this.format = format;
        this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
        this.batchMillis = batch.toMillis();
        this.retryMillis = retry.toMillis();
        this.clientFactory = clientFactory;
        this.scheduler = scheduler;
        this.clock = clock;
    }

    /**
     * The webhook {@code presence_webhook_url} asks for, or null when it is not set. Its HTTP client runs on
     * {@code executor} (the container's managed one), its batches and retries on {@code scheduler}.
     */
    public static PresenceWebhook configured(CableConfig config, Executor executor,
                                             ScheduledExecutorService scheduler) {
        if (config.presenceWebhookUrl().isEmpty()) {
            return null;
        }
        return new PresenceWebhook(URI.create(config.presenceWebhookUrl()), JCABLE, config.presenceWebhookSecret(),
                config.presenceWebhookBatch(), config.presenceWebhookRetry(),
                () -> HttpClient.newBuilder().executor(executor).connectTimeout(Duration.ofSeconds(5)).build(),
                scheduler, System::currentTimeMillis);
    }

    /** A transition (once per cluster): {@code member_added}/{@code member_removed}, and occupied/vacated edges. */
    public void changed(String stream, PresenceEvent event, int members) {
        long now = clock.getAsLong();
        String common = ",\"stream\":" + JsonText.quote(stream);
        String time = ",\"time\":" + now + "}";
        if (event.join()) {
            if (members == 1) {
                offer("{\"name\":\"channel_occupied\"" + common + time);
            }
            offer("{\"name\":\"member_added\"" + common + ",\"id\":" + JsonText.quote(event.id())
                    + (event.info() == null ? "" : ",\"info\":" + event.info()) + seq(event) + time);
        } else {
            offer("{\"name\":\"member_removed\"" + common + ",\"id\":" + JsonText.quote(event.id()) + seq(event)
                    + time);
            if (members == 0) {
                offer("{\"name\":\"channel_vacated\"" + common + time);
            }
        }
    }

    /** {@code ,"seq":N}: the stream's presence sequence number, by which a receiver orders a stream's events. */
    private static String seq(PresenceEvent event) {
        return event.seq() > 0 ? ",\"seq\":" + event.seq() : "";
    }

    /** Sends nothing more; ends the HTTP client's selector thread where the JDK can (21 and later). */
    public void stop() {
        stopped = true;
        HttpClient client;
        synchronized (this) {
            client = http;
        }
        if (client != null) {
            try {
                HttpClient.class.getMethod("shutdownNow").invoke(client); // Java 21+; on 17 it ends once unreachable
            } catch (NoSuchMethodException e) {
                LOG.finest("jcable: this JDK's HttpClient ends its selector thread once the client is unreachable");
            } catch (ReflectiveOperationException | RuntimeException e) {
                LOG.log(Level.FINE, "jcable: could not shut the webhook's HTTP client down", e);
            }
        }
    }

    private synchronized HttpClient client() {
        if (http == null) {
            http = clientFactory.get();
        }
        return http;
    }

    /** Events waiting for a POST (not those of the POST in flight); for tests and metrics. */
    public synchronized int queued() {
        return queue.size();
    }

    /** Events dropped so far: the oldest when the queue was full, and those of POSTs given up. */
    public synchronized long dropped() {
        return dropped;
    }

    /** Queues one event (a JSON object) for the next POST; never blocks. */
    void offer(String event) {
        boolean flush;
        synchronized (this) {
            if (queue.size() >= CAPACITY) {
                queue.pollFirst();
                dropped++;
                Counter.DROPPED_WEBHOOK_EVENT.increment();
                if (!overflowing) {
                    overflowing = true;
                    LOG.warning(() -> "jcable: " + CAPACITY + " presence webhook events are waiting for " + shown
                            + "; dropping the oldest (logged once until a POST succeeds)");
                }
            }
            queue.addLast(event);
            flush = !busy;
            busy = true;
        }
        if (flush) {
            schedule(this::flush, batchMillis);
        }
    }

    /** Sends what waits, up to {@link #MAX_BATCH} events, in one POST. */
    private void flush() {
        List<String> batch = new ArrayList<>(MAX_BATCH);
        synchronized (this) {
            while (batch.size() < MAX_BATCH && !queue.isEmpty()) {
                batch.add(queue.pollFirst());
            }
            if (batch.isEmpty()) {
                busy = false;
                return;
            }
        }
        String body = "{\"" + format.timeField() + "\":" + clock.getAsLong() + ",\"events\":["
                + String.join(",", batch) + "]}";
        post(body, batch.size(), clock.getAsLong(), 0);
    }

    private void post(String body, int events, long firstAttempt, int attempt) {
        if (stopped) {
            return;
        }
        HttpRequest.Builder builder = HttpRequest.newBuilder(url).timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json")
                .header(format.signatureHeader(), sign(body));
        for (int i = 0; i + 1 < format.headers().size(); i += 2) {
            builder.header(format.headers().get(i), format.headers().get(i + 1));
        }
        HttpRequest request = builder.POST(HttpRequest.BodyPublishers.ofString(body)).build();
        client().sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
            if (error == null && response.statusCode() / 100 == 2) {
                delivered();
                return;
            }
            // an exception's text may quote the request's URI
            String why = error != null ? error.toString().replace(url.toString(), shown)
                    : "HTTP " + response.statusCode();
            long delay = Math.min(MAX_BACKOFF_MILLIS, Math.max(100, batchMillis) << Math.min(attempt, 20));
            if (clock.getAsLong() + delay - firstAttempt <= retryMillis) {
                LOG.fine(() -> "jcable: presence webhook POST failed (" + why + "); retrying in " + delay + " ms");
                schedule(() -> post(body, events, firstAttempt, attempt + 1), delay);
            } else {
                LOG.warning(() -> "jcable: presence webhook " + shown + " failed for presence_webhook_retry (" + why
                        + "); dropped " + events + " event(s)");
                synchronized (this) {
                    dropped += events;
                }
                Counter.DROPPED_WEBHOOK_EVENT.add(events);
                next();
            }
        });
    }

    private void delivered() {
        synchronized (this) {
            overflowing = false;
        }
        next();
    }

    /** After a POST: the next batch, if events waited meanwhile. */
    private void next() {
        boolean more;
        synchronized (this) {
            more = !queue.isEmpty();
            busy = more;
        }
        if (more) {
            schedule(this::flush, batchMillis);
        }
    }

    private void schedule(Runnable task, long delayMillis) {
        if (stopped) {
            return;
        }
        try {
            scheduler.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            LOG.log(Level.FINE, "jcable: presence webhook stopped with the executor", e);
        }
    }

    private String sign(String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return java.util.HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
