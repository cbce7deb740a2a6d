package dev.jcable.config;

import dev.jcable.streams.MessageVerifier;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * Resolves every {@link Option} from an ordered list of sources (first value wins, then the built-in default),
 * validates it, and derives the secrets the way AnyCable does.
 */
public final class ConfigLoader {

    private static final Logger LOG = Logger.getLogger(ConfigLoader.class.getName());
    /** AnyCable's literal for "explicitly empty" secrets and keys. */
    private static final String NONE = "none";
    /** The phrase the presence webhook's key is derived with from {@code secret} (like AnyCable's "broadcast-cable"). */
    public static final String WEBHOOK_PURPOSE = "presence-webhook-cable";
    private static final Set<String> BROKERS = Set.of("memory", "redis");
    private static final Set<String> ADAPTERS = Set.of("http", "redis", "redisx");
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");
    private static final Pattern METRICS_PATH = Pattern.compile("(/[A-Za-z0-9._~-]+)+");

    private final OptionValues values;

    public ConfigLoader(List<ConfigSource> sources) {
        this.values = new OptionValues(sources);
    }

    public CableConfig load() {
        boolean publicMode = values.bool(Option.PUBLIC);
        String secret = secret(Option.SECRET);
        if (secret.isEmpty()) {
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            secret = HexFormat.of().formatHex(random);
            values.origin(Option.SECRET, "generated");
            LOG.warning("jcable: no secret is configured (set 'secret'); using a random one for this run, "
                    + "so signed streams and derived keys change at every start");
        }
        String streamsSecret = fallback(Option.STREAMS_SECRET, secret);
        String broadcastKey = key(Option.BROADCAST_KEY, publicMode, secret, "broadcast-cable");
        String apiSecret = key(Option.API_SECRET, publicMode, secret, "api-cable");
        String jwtSecret = fallback(Option.JWT_SECRET, secret);
        String turboSecret = fallback(Option.TURBO_STREAMS_SECRET, streamsSecret);
        String jwtParam = values.raw(Option.JWT_PARAM);
        if (!jwtParam.matches("[A-Za-z0-9_-]+")) {
            throw values.invalid(Option.JWT_PARAM, jwtParam, "must be a query parameter name ([A-Za-z0-9_-]+)");
        }

        String broker = values.raw(Option.BROKER).toLowerCase(Locale.ROOT);
        if (!BROKERS.contains(broker)) {
            throw values.invalid(Option.BROKER, broker, "must be one of " + new java.util.TreeSet<>(BROKERS));
        }
        String redisUrl = redisUrl();
        String redisPrefix = values.raw(Option.REDIS_PREFIX);
        if (!PREFIX.matcher(redisPrefix).matches()) {
            throw values.invalid(Option.REDIS_PREFIX, redisPrefix, "must be 1 to 64 of A-Z a-z 0-9 _ . : -");
        }
        Set<String> adapters = adapters(broker);
        String redisChannel = values.nonEmpty(Option.REDIS_CHANNEL);
        String redisxStream = values.nonEmpty(Option.REDISX_STREAM);
        String precision = values.raw(Option.PING_TIMESTAMP_PRECISION).toLowerCase(Locale.ROOT);
        if (!Set.of("s", "ms", "ns").contains(precision)) {
            throw values.invalid(Option.PING_TIMESTAMP_PRECISION, precision, "must be s, ms or ns");
        }
        String transport = values.raw(Option.WS_TRANSPORT).toLowerCase(Locale.ROOT);
        if (!Set.of("auto", "portable").contains(transport)) {
            throw values.invalid(Option.WS_TRANSPORT, transport, "must be auto or portable");
        }
        return new CableConfig(
                secret, streamsSecret, broadcastKey, apiSecret, jwtSecret, turboSecret,
                publicMode,
                values.bool(Option.PUBLIC_STREAMS) || publicMode, // read (and validated) even in public mode
                values.bool(Option.STREAMS_PRESENCE),
                values.bool(Option.STREAMS_WHISPER),
                values.bool(Option.TURBO_STREAMS),
                jwtParam,
                values.bool(Option.ENFORCE_JWT),
                broker,
                redisUrl,
                redisPrefix,
                adapters,
                redisChannel,
                redisxStream,
                values.seconds(Option.PRESENCE_TTL),
                (int) values.number(Option.HISTORY_LIMIT, 1, 1_000_000),
                values.seconds(Option.HISTORY_TTL),
                values.seconds(Option.SESSIONS_TTL),
                values.number(Option.SESSIONS_MAX_SIZE, 0, Long.MAX_VALUE),
                values.seconds(Option.PING_INTERVAL),
                precision,
                values.bool(Option.ENABLE_NATIVE_PINGS),
                values.seconds(Option.PONG_TIMEOUT),
                origins(),
                (int) values.number(Option.MAX_MESSAGE_SIZE, 256, Integer.MAX_VALUE),
                (int) values.number(Option.MAX_IDENTIFIER_SIZE, 64, 1 << 20),
                (int) values.number(Option.MAX_BROADCAST_SIZE, 1, 1 << 28),
                values.number(Option.WS_MAX_PENDING_SIZE, 1024, Long.MAX_VALUE),
                values.seconds(Option.WS_WRITE_TIMEOUT),
                transport,
                (int) values.number(Option.MAX_SUBSCRIPTIONS, 1, Integer.MAX_VALUE),
                (int) values.number(Option.COMMAND_RATE_LIMIT, 0, 1_000_000),
                (int) values.number(Option.COMMAND_RATE_BURST, 1, 1_000_000),
                (int) values.number(Option.PRESENCE_MAX_MEMBERS, 1, Integer.MAX_VALUE),
                (int) values.number(Option.PRESENCE_INFO_MAX_SIZE, 2, Integer.MAX_VALUE),
                values.bool(Option.DEMO),
                values.raw(Option.PRESENCE_IDENTITY),
                webhookUrl(),
                webhookSecret(secret),
                values.seconds(Option.PRESENCE_WEBHOOK_BATCH),
                values.seconds(Option.PRESENCE_WEBHOOK_RETRY),
                rpc(secret),
                metricsHttp(),
                optionalKey(Option.METRICS_KEY),
                values.seconds(Option.STATS_REFRESH_INTERVAL),
                pusher(),
                values.bool(Option.SSE),
                ssePath(),
                values.seconds(Option.SHUTDOWN_DRAIN_WINDOW),
                values.origins());
    }

    /** AnyCable's comma-separated list; the Redis ones read the broker's Redis, so they need {@code broker=redis}. */
    private Set<String> adapters(String broker) {
        String value = values.raw(Option.BROADCAST_ADAPTER).toLowerCase(Locale.ROOT);
        Set<String> adapters = new java.util.LinkedHashSet<>();
        for (String adapter : value.split(",")) {
            String name = adapter.trim();
            if (!ADAPTERS.contains(name)) {
                throw values.invalid(Option.BROADCAST_ADAPTER, value, "each must be one of " + new java.util.TreeSet<>(ADAPTERS)
                        + " (a comma-separated list)");
            }
            adapters.add(name);
        }
        if (!broker.equals("redis") && (adapters.contains("redis") || adapters.contains("redisx"))) {
            throw values.invalid(Option.BROADCAST_ADAPTER, value, "redis and redisx need broker=redis");
        }
        return Set.copyOf(adapters);
    }

    /**
     * {@code redis://[[user]:password@]host[:port][/database]} or {@code rediss://…} (TLS). Checked here, so that a
     * typo fails the deployment with the option's name rather than at the first connection attempt.
     */
    private String redisUrl() {
        String value = values.raw(Option.REDIS_URL);
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw values.invalid(Option.REDIS_URL, CableConfig.redactUrl(value), "is not a URL");
        }
        String shown = CableConfig.redactUrl(value);
        if (!"redis".equalsIgnoreCase(uri.getScheme()) && !"rediss".equalsIgnoreCase(uri.getScheme())) {
            throw values.invalid(Option.REDIS_URL, shown, "must start with redis:// or rediss://");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw values.invalid(Option.REDIS_URL, shown, "names no host");
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        if (!path.isEmpty() && !path.equals("/") && !path.matches("/\\d{1,5}")) {
            throw values.invalid(Option.REDIS_URL, shown, "database must be a number, e.g. redis://localhost:6379/2");
        }
        return value;
    }

    private String secret(Option option) {
        String value = values.raw(option);
        return NONE.equalsIgnoreCase(value) ? "" : value;
    }

    /**
     * AnyCable RPC, as anycable-go reads it: {@code rpc_host} with {@code http://} or {@code https://} is RPC over
     * HTTP, {@code grpc://host:port} or a bare {@code host:port} is gRPC, empty is no RPC.
     */
    private RpcSettings rpc(String secret) {
        String host = values.raw(Option.RPC_HOST);
        RpcSettings.Transport transport;
        String lower = host.toLowerCase(Locale.ROOT);
        if (host.isEmpty()) {
            transport = RpcSettings.Transport.NONE;
        } else if (lower.startsWith("http://") || lower.startsWith("https://")) {
            try {
                if (new URI(host).getHost() == null) {
                    throw values.invalid(Option.RPC_HOST, host, "names no host");
                }
            } catch (URISyntaxException e) {
                throw values.invalid(Option.RPC_HOST, host, "is not a URL");
            }
            transport = RpcSettings.Transport.HTTP;
            host = host.replaceAll("/+$", "");
        } else {
            host = lower.startsWith("grpc://") ? host.substring("grpc://".length()) : host;
            if (!host.matches("[A-Za-z0-9.\\-]+:\\d{1,5}|\\[[0-9A-Fa-f:]+]:\\d{1,5}")) {
                throw values.invalid(Option.RPC_HOST, host, "must be http(s)://… (RPC over HTTP) or host:port (gRPC)");
            }
            transport = RpcSettings.Transport.GRPC;
        }
        List<String> headers = new ArrayList<>();
        for (String header : values.raw(Option.HEADERS).toLowerCase(Locale.ROOT).split(",")) {
            if (!header.isBlank()) {
                headers.add(header.trim());
            }
        }
        String httpSecret = values.raw(Option.HTTP_RPC_SECRET);
        if (httpSecret.isEmpty()) {
            values.origin(Option.HTTP_RPC_SECRET, "derived from secret");
            httpSecret = MessageVerifier.derive(secret, "rpc-cable");
        } else if (NONE.equalsIgnoreCase(httpSecret)) {
            httpSecret = "";
        }
        return new RpcSettings(transport, host,
                (int) values.number(Option.RPC_CONCURRENCY, 1, 10_000),
                values.millis(Option.RPC_REQUEST_TIMEOUT),
                values.bool(Option.RPC_ENABLE_TLS),
                values.seconds(Option.HTTP_RPC_TIMEOUT),
                httpSecret,
                headers,
                (int) values.number(Option.DISCONNECT_RATE, 1, 1_000_000),
                values.seconds(Option.DISCONNECT_TIMEOUT),
                values.bool(Option.DISABLE_DISCONNECT));
    }

    /** Pusher mode: on with a key and a secret (the app id defaults to the key, as a Pusher SDK needs one). */
    private PusherConfig pusher() {
        String key = values.raw(Option.PUSHER_APP_KEY);
        String secret = secret(Option.PUSHER_SECRET);
        if (!key.isEmpty() && !PusherConfig.NAME.matcher(key).matches()) {
            throw values.invalid(Option.PUSHER_APP_KEY, key, "must be 1 to 64 of A-Z a-z 0-9 _ . -");
        }
        String id = values.raw(Option.PUSHER_APP_ID);
        if (!id.isEmpty() && !PusherConfig.NAME.matcher(id).matches()) {
            throw values.invalid(Option.PUSHER_APP_ID, id, "must be 1 to 64 of A-Z a-z 0-9 _ . -");
        }
        return new PusherConfig(id.isEmpty() ? key : id, key, secret, webhookUrl(Option.PUSHER_WEBHOOK_URL),
                (int) values.number(Option.PUSHER_MAX_CONNECTIONS, 0, 1_000_000));
    }

    /** Empty (no webhook), or an absolute http(s) URL. */
    private String webhookUrl() {
        return webhookUrl(Option.PRESENCE_WEBHOOK_URL);
    }

    private String webhookUrl(Option option) {
        String url = values.raw(option);
        if (url.isEmpty()) {
            return url;
        }
        try {
            java.net.URI uri = new java.net.URI(url);
            if (uri.getHost() != null && ("http".equalsIgnoreCase(uri.getScheme())
                    || "https".equalsIgnoreCase(uri.getScheme()))) {
                return url;
            }
        } catch (java.net.URISyntaxException e) {
            // refused below
        }
        throw values.invalid(option, CableConfig.redactUrl(url), "must be an absolute http:// or https:// URL");
    }

    private String fallback(Option option, String secret) {
        String value = values.raw(option);
        if (value.isEmpty()) {
            values.origin(option, option == Option.TURBO_STREAMS_SECRET ? "from streams_secret" : "from secret");
            return secret;
        }
        return NONE.equalsIgnoreCase(value) ? "" : value;
    }

    /**
     * An explicit key, else {@code hex(HMAC-SHA256(secret, "presence-webhook-cable"))}, as the broadcast key is
     * derived: a webhook receiver holds this key, and must not hold the one that signs streams and mints tokens.
     * Derived in public mode too: a receiver still wants to know the POST came from this server.
     */
    private String webhookSecret(String secret) {
        String value = values.raw(Option.PRESENCE_WEBHOOK_SECRET);
        if (!value.isEmpty()) {
            return value;
        }
        values.origin(Option.PRESENCE_WEBHOOK_SECRET, "derived from secret");
        return MessageVerifier.derive(secret, WEBHOOK_PURPOSE);
    }

    /** An explicit key, else none in public mode, else {@code hex(HMAC-SHA256(secret, phrase))}. */
    private String key(Option option, boolean publicMode, String secret, String phrase) {
        String value = values.raw(option);
        if (NONE.equalsIgnoreCase(value)) {
            return null;
        }
        if (!value.isEmpty()) {
            return value;
        }
        if (publicMode) {
            values.origin(option, "public mode: no key");
            return null;
        }
        values.origin(option, "derived from secret");
        return MessageVerifier.derive(secret, phrase);
    }

    /** A key that is required only when set: empty or {@code none} means no key. */
    private String optionalKey(Option option) {
        String value = values.raw(option);
        return value.isEmpty() || NONE.equalsIgnoreCase(value) ? null : value;
    }

    /**
     * {@code metrics_http}, AnyCable's option: the exact path of the metrics, or empty (or {@code none}) for none.
     * jcable's own paths cannot be taken over.
     */
    private String metricsHttp() {
        String value = values.raw(Option.METRICS_HTTP);
        if (value.isEmpty() || NONE.equalsIgnoreCase(value)) {
            return "";
        }
        if (!METRICS_PATH.matcher(value).matches()) {
            throw values.invalid(Option.METRICS_HTTP, value, "must be a path such as /metrics (letters, digits, . _ ~ -"
                    + " between slashes, no wildcard), or none");
        }
        if (value.equals("/cable") || value.equals("/_broadcast") || value.startsWith("/api/health")
                || value.startsWith("/api/presence") || value.startsWith("/demo")) {
            throw values.invalid(Option.METRICS_HTTP, value, "is one of jcable's own paths");
        }
        return value;
    }

    /** {@code sse_path}: an exact path, not one of jcable's own. */
    private String ssePath() {
        String value = values.raw(Option.SSE_PATH);
        if (!METRICS_PATH.matcher(value).matches() || value.equals("/cable") || value.equals("/_broadcast")
                || value.startsWith("/api/") || value.startsWith("/app/") || value.startsWith("/apps/")
                || value.startsWith("/demo") || value.equals(metricsHttp())) {
            throw values.invalid(Option.SSE_PATH, value, "must be a path such as /events (letters, digits, . _ ~ -"
                    + " between slashes, no wildcard), not one of jcable's own nor metrics_http");
        }
        return value;
    }

    /**
     * {@code allowed_origins}: comma-separated hosts ({@code host} or {@code host:port}, as in the {@code Origin}
     * header), {@code *suffix} for any host ending so. Empty, or any {@code *} entry alone, means every origin.
     */
    private List<String> origins() {
        String value = values.raw(Option.ALLOWED_ORIGINS).toLowerCase(Locale.ROOT);
        List<String> hosts = new ArrayList<>();
        for (String entry : value.split(",")) {
            String host = entry.trim();
            if (host.equals("*")) {
                return List.of(); // every origin: no check
            }
            if (host.contains("/") || host.chars().anyMatch(Character::isWhitespace)) {
                throw values.invalid(Option.ALLOWED_ORIGINS, value,
                        "must list hosts (example.com, example.com:8443, *.example.com), not URLs");
            }
            if (!host.isEmpty()) {
                hosts.add(host);
            }
        }
        return hosts;
    }
}
