package dev.jcable.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The effective, typed configuration. Built once at deployment by {@link ConfigLoader}; immutable.
 *
 * @param secret            the application secret (never empty: generated when unset, see the docs)
 * @param streamsSecret     verifies {@code signed_stream_name}
 * @param broadcastKey      Bearer key of {@code POST /_broadcast}; null when broadcasting needs no key
 * @param apiSecret         Bearer key of {@code /api}; null when the API needs no key
 * @param jwtSecret         verifies connection tokens (HMAC); empty disables JWT identification
 * @param turboStreamsSecret verifies {@code Turbo::StreamsChannel} signed stream names
 * @param publicStreams     whether unsigned {@code stream_name} subscriptions are allowed
 * @param streamsPresence   whether signed streams support presence (public ones always do)
 * @param redisUrl          the Redis of {@code broker=redis} (may carry a password: print it with {@link #redactUrl})
 * @param redisPrefix       the prefix of every Redis key and channel, so applications can share one Redis
 * @param broadcastAdapters how publications come in: {@code http} ({@code POST /_broadcast}), {@code redis}
 *                          (PUBLISH on {@code redis_channel}), {@code redisx} (XADD to {@code redisx_stream})
 * @param redisChannel      the channel AnyCable's server SDKs PUBLISH to
 * @param redisxStream      the Redis Stream AnyCable's server SDKs XADD to
 * @param nativePings       whether WebSocket (RFC 6455) ping frames go out every {@code ping_interval}
 * @param pongTimeout       how long a connection may stay silent after a ping before it is closed as dead; zero
 *                          turns the check off
 * @param allowedOrigins    the handshake {@code Origin} hosts accepted (lower case, {@code host[:port]},
 *                          {@code *suffix} wildcards); empty accepts every origin
 * @param demo              whether the demo page and its endpoints are served
 * @param presenceIdentity  the connection identifier whose value is the only presence id a connection may join
 *                          under, or empty for any id
 * @param presenceWebhookUrl    where presence events are POSTed, or empty for no webhook
 * @param presenceWebhookSecret the HMAC-SHA256 key of the webhook's signature header
 * @param presenceWebhookBatch  how long events are gathered before a POST
 * @param presenceWebhookRetry  how long a failed POST is retried before its events are dropped
 * @param rpc               AnyCable RPC: where the application's channels live, or {@link RpcSettings#enabled()} false
 * @param metricsHttp       the path of the Prometheus metrics; empty when they are not served
 * @param metricsKey        Bearer key of the metrics path; null when it needs no key
 * @param statsRefreshInterval how often the stats line is logged; zero turns it off
 * @param pusher                Pusher protocol mode (docs/pusher.md): off unless its key and secret are set
 * @param sse                   whether server-sent events are served at {@code ssePath} (docs/sse.md)
 * @param ssePath               the path of server-sent events ({@code sse_path}, default {@code /events})
 * @param shutdownDrainWindow  over how long undeploy tells the connections {@code server_restart}, in batches; zero
 *                             tells them all at once
 * @param sources           where each option's value came from (for the start-up line)
 */
public record CableConfig(
        String secret,
        String streamsSecret,
        String broadcastKey,
        String apiSecret,
        String jwtSecret,
        String turboStreamsSecret,
        boolean publicMode,
        boolean publicStreams,
        boolean streamsPresence,
        boolean streamsWhisper,
        boolean turboStreams,
        String jwtParam,
        boolean enforceJwt,
        String broker,
        String redisUrl,
        String redisPrefix,
        java.util.Set<String> broadcastAdapters,
        String redisChannel,
        String redisxStream,
        Duration presenceTtl,
        int historyLimit,
        Duration historyTtl,
        Duration sessionsTtl,
        long sessionsMaxSize,
        Duration pingInterval,
        String pingTimestampPrecision,
        boolean nativePings,
        Duration pongTimeout,
        List<String> allowedOrigins,
        int maxMessageSize,
        int maxIdentifierSize,
        int maxBroadcastSize,
        long wsMaxPendingSize,
        Duration wsWriteTimeout,
        String wsTransport,
        int maxSubscriptions,
        int commandRateLimit,
        int commandRateBurst,
        int presenceMaxMembers,
        int presenceInfoMaxSize,
        boolean demo,
        String presenceIdentity,
        String presenceWebhookUrl,
        String presenceWebhookSecret,
        Duration presenceWebhookBatch,
        Duration presenceWebhookRetry,
        RpcSettings rpc,
        String metricsHttp,
        String metricsKey,
        Duration statsRefreshInterval,
        PusherConfig pusher,
        boolean sse,
        String ssePath,
        Duration shutdownDrainWindow,
        Map<Option, String> sources) {

    public CableConfig {
        allowedOrigins = List.copyOf(allowedOrigins);
    }

    /**
     * The largest frame jcable builds, in characters: the largest message it carries (a broadcast's {@code data}
     * quoted as a JSON string with every character escaped, a whisper of a whole inbound frame, a presence reply of
     * up to {@code ws_max_pending_size}, a restored welcome listing every subscription) plus an identifier and a
     * stream name around it, each escaped at worst. A session drops a larger frame outright; nothing jcable builds
     * comes near it.
     */
    public long maxFrameSize() {
        long identifier = 6L * maxIdentifierSize + 2; // every character escaped (six characters each), two quotes
        long message = Math.max(Math.max(6L * maxBroadcastSize + 2, maxMessageSize),
                Math.max(wsMaxPendingSize, maxSubscriptions * (identifier + 1)));
        return message + 2 * identifier + 1024;
    }

    /** One line for the start-up log; secrets show only whether and where they are set. */
    public String summary() {
        StringBuilder line = new StringBuilder("jcable configuration:");
        for (Option option : Option.values()) {
            line.append(' ').append(option.key()).append('=');
            if (option.secret()) {
                line.append(describeSecret(option));
            } else {
                line.append(display(option));
            }
            line.append(" (").append(sources.get(option)).append(')');
        }
        return line.toString();
    }

    private String describeSecret(Option option) {
        String value = switch (option) {
            case SECRET -> secret;
            case STREAMS_SECRET -> streamsSecret;
            case BROADCAST_KEY -> broadcastKey;
            case API_SECRET -> apiSecret;
            case JWT_SECRET -> jwtSecret;
            case TURBO_STREAMS_SECRET -> turboStreamsSecret;
            case PRESENCE_WEBHOOK_SECRET -> presenceWebhookSecret;
            case HTTP_RPC_SECRET -> rpc.httpSecret();
            case METRICS_KEY -> metricsKey;
            case PUSHER_SECRET -> pusher.secret();
            default -> throw new IllegalArgumentException(option.key());
        };
        return value == null || value.isEmpty() ? "<none>" : "<set>";
    }

    private String display(Option option) {
        return switch (option) {
            case PUBLIC -> String.valueOf(publicMode);
            case PUBLIC_STREAMS -> String.valueOf(publicStreams);
            case STREAMS_PRESENCE -> String.valueOf(streamsPresence);
            case STREAMS_WHISPER -> String.valueOf(streamsWhisper);
            case TURBO_STREAMS -> String.valueOf(turboStreams);
            case JWT_PARAM -> jwtParam;
            case ENFORCE_JWT -> String.valueOf(enforceJwt);
            case HISTORY_LIMIT -> String.valueOf(historyLimit);
            case HISTORY_TTL -> seconds(historyTtl);
            case SESSIONS_TTL -> seconds(sessionsTtl);
            case SESSIONS_MAX_SIZE -> String.valueOf(sessionsMaxSize);
            case BROKER -> broker;
            case REDIS_URL -> redactUrl(redisUrl);
            case REDIS_PREFIX -> redisPrefix;
            case BROADCAST_ADAPTER -> String.join(",", new java.util.TreeSet<>(broadcastAdapters));
            case REDIS_CHANNEL -> redisChannel;
            case REDISX_STREAM -> redisxStream;
            case PRESENCE_TTL -> seconds(presenceTtl);
            case PING_INTERVAL -> seconds(pingInterval);
            case PING_TIMESTAMP_PRECISION -> pingTimestampPrecision;
            case ENABLE_NATIVE_PINGS -> String.valueOf(nativePings);
            case PONG_TIMEOUT -> seconds(pongTimeout);
            case ALLOWED_ORIGINS -> allowedOrigins.isEmpty() ? "*" : String.join(",", allowedOrigins);
            case MAX_MESSAGE_SIZE -> String.valueOf(maxMessageSize);
            case MAX_IDENTIFIER_SIZE -> String.valueOf(maxIdentifierSize);
            case MAX_BROADCAST_SIZE -> String.valueOf(maxBroadcastSize);
            case WS_MAX_PENDING_SIZE -> String.valueOf(wsMaxPendingSize);
            case WS_WRITE_TIMEOUT -> seconds(wsWriteTimeout);
            case WS_TRANSPORT -> wsTransport;
            case MAX_SUBSCRIPTIONS -> String.valueOf(maxSubscriptions);
            case COMMAND_RATE_LIMIT -> commandRateLimit == 0 ? "off" : String.valueOf(commandRateLimit);
            case COMMAND_RATE_BURST -> String.valueOf(commandRateBurst);
            case PRESENCE_MAX_MEMBERS -> String.valueOf(presenceMaxMembers);
            case PRESENCE_INFO_MAX_SIZE -> String.valueOf(presenceInfoMaxSize);
            case DEMO -> String.valueOf(demo);
            case PRESENCE_IDENTITY -> presenceIdentity;
            case PRESENCE_WEBHOOK_URL -> redactUrl(presenceWebhookUrl);
            case PRESENCE_WEBHOOK_BATCH -> seconds(presenceWebhookBatch);
            case PRESENCE_WEBHOOK_RETRY -> seconds(presenceWebhookRetry);
            case RPC_HOST -> rpc.enabled() ? redactUrl(rpc.host()) : "off";
            case RPC_CONCURRENCY -> String.valueOf(rpc.concurrency());
            case RPC_REQUEST_TIMEOUT -> String.valueOf(rpc.requestTimeout().toMillis());
            case RPC_ENABLE_TLS -> String.valueOf(rpc.tls());
            case HTTP_RPC_TIMEOUT -> seconds(rpc.httpTimeout());
            case HEADERS -> String.join(",", rpc.headers());
            case DISCONNECT_RATE -> String.valueOf(rpc.disconnectRate());
            case DISCONNECT_TIMEOUT -> seconds(rpc.disconnectTimeout());
            case DISABLE_DISCONNECT -> String.valueOf(rpc.disableDisconnect());
            case METRICS_HTTP -> metricsHttp.isEmpty() ? "off" : metricsHttp;
            case STATS_REFRESH_INTERVAL -> seconds(statsRefreshInterval);
            case PUSHER_APP_ID -> pusher.appId();
            case PUSHER_APP_KEY -> pusher.appKey();
            case PUSHER_WEBHOOK_URL -> redactUrl(pusher.webhookUrl());
            case PUSHER_MAX_CONNECTIONS -> String.valueOf(pusher.maxConnections());
            case SSE -> String.valueOf(sse);
            case SSE_PATH -> ssePath;
            case SHUTDOWN_DRAIN_WINDOW -> seconds(shutdownDrainWindow);
            default -> throw new IllegalArgumentException(option.key());
        };
    }

    /**
     * The URL as logs and errors may show it: a password in its userinfo replaced by {@code ***}
     * ({@code redis://app:***@host:6379/0}), a userinfo without a password (a token, {@code https://TOKEN@host}) by
     * {@code ***}, and every query value and the fragment by {@code ***} ({@code /hook?token=***}), since a webhook
     * receiver's key often rides there. Whatever is not a URL is shown as {@code ***}.
     */
    public static String redactUrl(String url) {
        int scheme = url.indexOf("://");
        if (scheme < 0) {
            return url.isEmpty() ? url : "***";
        }
        int start = scheme + 3;
        int end = start;
        while (end < url.length() && "/?#".indexOf(url.charAt(end)) < 0) {
            end++;
        }
        String authority = url.substring(start, end);
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = authority.substring(0, at);
            int colon = userInfo.indexOf(':');
            authority = (colon < 0 ? "***" : userInfo.substring(0, colon) + ":***") + authority.substring(at);
        }
        StringBuilder shown = new StringBuilder(url.substring(0, start)).append(authority);
        String rest = url.substring(end);
        int hash = rest.indexOf('#');
        String fragment = hash < 0 ? null : rest.substring(hash + 1);
        rest = hash < 0 ? rest : rest.substring(0, hash);
        int question = rest.indexOf('?');
        if (question < 0) {
            shown.append(rest);
        } else {
            shown.append(rest, 0, question + 1);
            String[] params = rest.substring(question + 1).split("&", -1);
            for (int i = 0; i < params.length; i++) {
                int eq = params[i].indexOf('=');
                shown.append(i == 0 ? "" : "&").append(eq < 0 ? "***" : params[i].substring(0, eq) + "=***");
            }
        }
        if (fragment != null) {
            shown.append(fragment.isEmpty() ? "#" : "#***");
        }
        return shown.toString();
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }
}
