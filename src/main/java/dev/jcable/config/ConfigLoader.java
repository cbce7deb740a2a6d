package dev.jcable.config;

import dev.jcable.streams.MessageVerifier;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
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
    private static final Pattern UNRESOLVED = Pattern.compile("\\$\\{[^{}]+}");

    private final List<ConfigSource> sources;
    private final Map<Option, String> origin = new EnumMap<>(Option.class);

    public ConfigLoader(List<ConfigSource> sources) {
        this.sources = List.copyOf(sources);
    }

    public CableConfig load() {
        boolean publicMode = bool(Option.PUBLIC);
        String secret = secret(Option.SECRET);
        if (secret.isEmpty()) {
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            secret = HexFormat.of().formatHex(random);
            origin.put(Option.SECRET, "generated");
            LOG.warning("jcable: no secret is configured (set 'secret'); using a random one for this run, "
                    + "so signed streams and derived keys change at every start");
        }
        String streamsSecret = fallback(Option.STREAMS_SECRET, secret);
        String broadcastKey = key(Option.BROADCAST_KEY, publicMode, secret, "broadcast-cable");
        String apiSecret = key(Option.API_SECRET, publicMode, secret, "api-cable");
        String jwtSecret = fallback(Option.JWT_SECRET, secret);
        String turboSecret = fallback(Option.TURBO_STREAMS_SECRET, streamsSecret);
        String jwtParam = raw(Option.JWT_PARAM);
        if (!jwtParam.matches("[A-Za-z0-9_-]+")) {
            throw invalid(Option.JWT_PARAM, jwtParam, "must be a query parameter name ([A-Za-z0-9_-]+)");
        }

        String broker = raw(Option.BROKER).toLowerCase(Locale.ROOT);
        if (!BROKERS.contains(broker)) {
            throw invalid(Option.BROKER, broker, "must be one of " + new java.util.TreeSet<>(BROKERS));
        }
        String redisUrl = redisUrl();
        String redisPrefix = raw(Option.REDIS_PREFIX);
        if (!PREFIX.matcher(redisPrefix).matches()) {
            throw invalid(Option.REDIS_PREFIX, redisPrefix, "must be 1 to 64 of A-Z a-z 0-9 _ . : -");
        }
        Set<String> adapters = adapters(broker);
        String redisChannel = nonEmpty(Option.REDIS_CHANNEL);
        String redisxStream = nonEmpty(Option.REDISX_STREAM);
        String precision = raw(Option.PING_TIMESTAMP_PRECISION).toLowerCase(Locale.ROOT);
        if (!Set.of("s", "ms", "ns").contains(precision)) {
            throw invalid(Option.PING_TIMESTAMP_PRECISION, precision, "must be s, ms or ns");
        }
        String transport = raw(Option.WS_TRANSPORT).toLowerCase(Locale.ROOT);
        if (!Set.of("auto", "portable").contains(transport)) {
            throw invalid(Option.WS_TRANSPORT, transport, "must be auto or portable");
        }
        return new CableConfig(
                secret, streamsSecret, broadcastKey, apiSecret, jwtSecret, turboSecret,
                publicMode,
                bool(Option.PUBLIC_STREAMS) || publicMode, // read (and validated) even in public mode
                bool(Option.STREAMS_PRESENCE),
                bool(Option.STREAMS_WHISPER),
                bool(Option.TURBO_STREAMS),
                jwtParam,
                bool(Option.ENFORCE_JWT),
                broker,
                redisUrl,
                redisPrefix,
                adapters,
                redisChannel,
                redisxStream,
                seconds(Option.PRESENCE_TTL),
                (int) number(Option.HISTORY_LIMIT, 1, 1_000_000),
                seconds(Option.HISTORY_TTL),
                seconds(Option.SESSIONS_TTL),
                number(Option.SESSIONS_MAX_SIZE, 0, Long.MAX_VALUE),
                seconds(Option.PING_INTERVAL),
                precision,
                bool(Option.ENABLE_NATIVE_PINGS),
                seconds(Option.PONG_TIMEOUT),
                origins(),
                (int) number(Option.MAX_MESSAGE_SIZE, 256, Integer.MAX_VALUE),
                (int) number(Option.MAX_IDENTIFIER_SIZE, 64, 1 << 20),
                (int) number(Option.MAX_BROADCAST_SIZE, 1, 1 << 28),
                number(Option.WS_MAX_PENDING_SIZE, 1024, Long.MAX_VALUE),
                seconds(Option.WS_WRITE_TIMEOUT),
                transport,
                (int) number(Option.MAX_SUBSCRIPTIONS, 1, Integer.MAX_VALUE),
                (int) number(Option.COMMAND_RATE_LIMIT, 0, 1_000_000),
                (int) number(Option.COMMAND_RATE_BURST, 1, 1_000_000),
                (int) number(Option.PRESENCE_MAX_MEMBERS, 1, Integer.MAX_VALUE),
                (int) number(Option.PRESENCE_INFO_MAX_SIZE, 2, Integer.MAX_VALUE),
                bool(Option.DEMO),
                raw(Option.PRESENCE_IDENTITY),
                webhookUrl(),
                webhookSecret(secret),
                seconds(Option.PRESENCE_WEBHOOK_BATCH),
                seconds(Option.PRESENCE_WEBHOOK_RETRY),
                rpc(secret),
                metricsHttp(),
                optionalKey(Option.METRICS_KEY),
                seconds(Option.STATS_REFRESH_INTERVAL),
                pusher(),
                seconds(Option.SHUTDOWN_DRAIN_WINDOW),
                Map.copyOf(origin));
    }

    /** The raw value of the first source that has one, else the default; records where it came from. */
    private String raw(Option option) {
        for (ConfigSource source : sources) {
            Optional<String> value = source.lookup().apply(option).map(String::trim);
            if (value.isPresent()) {
                origin.put(option, source.name());
                if (UNRESOLVED.matcher(value.get()).matches()) {
                    // Payara (${ENV=X}) and Liberty (${env.X}) pass such a value on as text when the variable is
                    // unset: a secret that silently became its own placeholder is worse than a failed deployment
                    throw new ConfigException("jcable: option '" + option.key() + "' (from " + source.name()
                            + ") is '" + value.get() + "', a placeholder the server did not resolve: set what it"
                            + " names, or remove the entry so that a later source applies");
                }
                return value.get();
            }
        }
        origin.put(option, "default");
        return option.defaultValue();
    }

    private String nonEmpty(Option option) {
        String value = raw(option);
        if (value.isEmpty()) {
            throw invalid(option, value, "must not be empty");
        }
        return value;
    }

    /** AnyCable's comma-separated list; the Redis ones read the broker's Redis, so they need {@code broker=redis}. */
    private Set<String> adapters(String broker) {
        String value = raw(Option.BROADCAST_ADAPTER).toLowerCase(Locale.ROOT);
        Set<String> adapters = new java.util.LinkedHashSet<>();
        for (String adapter : value.split(",")) {
            String name = adapter.trim();
            if (!ADAPTERS.contains(name)) {
                throw invalid(Option.BROADCAST_ADAPTER, value, "each must be one of " + new java.util.TreeSet<>(ADAPTERS)
                        + " (a comma-separated list)");
            }
            adapters.add(name);
        }
        if (!broker.equals("redis") && (adapters.contains("redis") || adapters.contains("redisx"))) {
            throw invalid(Option.BROADCAST_ADAPTER, value, "redis and redisx need broker=redis");
        }
        return Set.copyOf(adapters);
    }

    /**
     * {@code redis://[[user]:password@]host[:port][/database]} or {@code rediss://…} (TLS). Checked here, so that a
     * typo fails the deployment with the option's name rather than at the first connection attempt.
     */
    private String redisUrl() {
        String value = raw(Option.REDIS_URL);
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw invalid(Option.REDIS_URL, CableConfig.redactUrl(value), "is not a URL");
        }
        String shown = CableConfig.redactUrl(value);
        if (!"redis".equalsIgnoreCase(uri.getScheme()) && !"rediss".equalsIgnoreCase(uri.getScheme())) {
            throw invalid(Option.REDIS_URL, shown, "must start with redis:// or rediss://");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw invalid(Option.REDIS_URL, shown, "names no host");
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        if (!path.isEmpty() && !path.equals("/") && !path.matches("/\\d{1,5}")) {
            throw invalid(Option.REDIS_URL, shown, "database must be a number, e.g. redis://localhost:6379/2");
        }
        return value;
    }

    private String secret(Option option) {
        String value = raw(option);
        return NONE.equalsIgnoreCase(value) ? "" : value;
    }

    /**
     * AnyCable RPC, as anycable-go reads it: {@code rpc_host} with {@code http://} or {@code https://} is RPC over
     * HTTP, {@code grpc://host:port} or a bare {@code host:port} is gRPC, empty is no RPC.
     */
    private RpcSettings rpc(String secret) {
        String host = raw(Option.RPC_HOST);
        RpcSettings.Transport transport;
        String lower = host.toLowerCase(Locale.ROOT);
        if (host.isEmpty()) {
            transport = RpcSettings.Transport.NONE;
        } else if (lower.startsWith("http://") || lower.startsWith("https://")) {
            try {
                if (new URI(host).getHost() == null) {
                    throw invalid(Option.RPC_HOST, host, "names no host");
                }
            } catch (URISyntaxException e) {
                throw invalid(Option.RPC_HOST, host, "is not a URL");
            }
            transport = RpcSettings.Transport.HTTP;
            host = host.replaceAll("/+$", "");
        } else {
            host = lower.startsWith("grpc://") ? host.substring("grpc://".length()) : host;
            if (!host.matches("[A-Za-z0-9.\\-]+:\\d{1,5}|\\[[0-9A-Fa-f:]+]:\\d{1,5}")) {
                throw invalid(Option.RPC_HOST, host, "must be http(s)://… (RPC over HTTP) or host:port (gRPC)");
            }
            transport = RpcSettings.Transport.GRPC;
        }
        List<String> headers = new ArrayList<>();
        for (String header : raw(Option.HEADERS).toLowerCase(Locale.ROOT).split(",")) {
            if (!header.isBlank()) {
                headers.add(header.trim());
            }
        }
        String httpSecret = raw(Option.HTTP_RPC_SECRET);
        if (httpSecret.isEmpty()) {
            origin.put(Option.HTTP_RPC_SECRET, "derived from secret");
            httpSecret = MessageVerifier.derive(secret, "rpc-cable");
        } else if (NONE.equalsIgnoreCase(httpSecret)) {
            httpSecret = "";
        }
        return new RpcSettings(transport, host,
                (int) number(Option.RPC_CONCURRENCY, 1, 10_000),
                millis(Option.RPC_REQUEST_TIMEOUT),
                bool(Option.RPC_ENABLE_TLS),
                seconds(Option.HTTP_RPC_TIMEOUT),
                httpSecret,
                headers,
                (int) number(Option.DISCONNECT_RATE, 1, 1_000_000),
                seconds(Option.DISCONNECT_TIMEOUT),
                bool(Option.DISABLE_DISCONNECT));
    }

    /** Whole milliseconds, as anycable-go's {@code rpc_request_timeout}; at least 1. */
    private Duration millis(Option option) {
        return Duration.ofMillis(number(option, 1, 3_600_000));
    }

    /** Pusher mode: on with a key and a secret (the app id defaults to the key, as a Pusher SDK needs one). */
    private PusherConfig pusher() {
        String key = raw(Option.PUSHER_APP_KEY);
        String secret = secret(Option.PUSHER_SECRET);
        if (!key.isEmpty() && !PusherConfig.NAME.matcher(key).matches()) {
            throw invalid(Option.PUSHER_APP_KEY, key, "must be 1 to 64 of A-Z a-z 0-9 _ . -");
        }
        String id = raw(Option.PUSHER_APP_ID);
        if (!id.isEmpty() && !PusherConfig.NAME.matcher(id).matches()) {
            throw invalid(Option.PUSHER_APP_ID, id, "must be 1 to 64 of A-Z a-z 0-9 _ . -");
        }
        return new PusherConfig(id.isEmpty() ? key : id, key, secret, webhookUrl(Option.PUSHER_WEBHOOK_URL));
    }

    /** Empty (no webhook), or an absolute http(s) URL. */
    private String webhookUrl() {
        return webhookUrl(Option.PRESENCE_WEBHOOK_URL);
    }

    private String webhookUrl(Option option) {
        String url = raw(option);
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
        throw invalid(option, CableConfig.redactUrl(url), "must be an absolute http:// or https:// URL");
    }

    private String fallback(Option option, String secret) {
        String value = raw(option);
        if (value.isEmpty()) {
            origin.put(option, option == Option.TURBO_STREAMS_SECRET ? "from streams_secret" : "from secret");
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
        String value = raw(Option.PRESENCE_WEBHOOK_SECRET);
        if (!value.isEmpty()) {
            return value;
        }
        origin.put(Option.PRESENCE_WEBHOOK_SECRET, "derived from secret");
        return MessageVerifier.derive(secret, WEBHOOK_PURPOSE);
    }

    /** An explicit key, else none in public mode, else {@code hex(HMAC-SHA256(secret, phrase))}. */
    private String key(Option option, boolean publicMode, String secret, String phrase) {
        String value = raw(option);
        if (NONE.equalsIgnoreCase(value)) {
            return null;
        }
        if (!value.isEmpty()) {
            return value;
        }
        if (publicMode) {
            origin.put(option, "public mode: no key");
            return null;
        }
        origin.put(option, "derived from secret");
        return MessageVerifier.derive(secret, phrase);
    }

    /** A key that is required only when set: empty or {@code none} means no key. */
    private String optionalKey(Option option) {
        String value = raw(option);
        return value.isEmpty() || NONE.equalsIgnoreCase(value) ? null : value;
    }

    /**
     * {@code metrics_http}, AnyCable's option: the exact path of the metrics, or empty (or {@code none}) for none.
     * jcable's own paths cannot be taken over.
     */
    private String metricsHttp() {
        String value = raw(Option.METRICS_HTTP);
        if (value.isEmpty() || NONE.equalsIgnoreCase(value)) {
            return "";
        }
        if (!METRICS_PATH.matcher(value).matches()) {
            throw invalid(Option.METRICS_HTTP, value, "must be a path such as /metrics (letters, digits, . _ ~ -"
                    + " between slashes, no wildcard), or none");
        }
        if (value.equals("/cable") || value.equals("/_broadcast") || value.startsWith("/api/health")
                || value.startsWith("/api/presence") || value.startsWith("/demo")) {
            throw invalid(Option.METRICS_HTTP, value, "is one of jcable's own paths");
        }
        return value;
    }

    /**
     * {@code allowed_origins}: comma-separated hosts ({@code host} or {@code host:port}, as in the {@code Origin}
     * header), {@code *suffix} for any host ending so. Empty, or any {@code *} entry alone, means every origin.
     */
    private List<String> origins() {
        String value = raw(Option.ALLOWED_ORIGINS).toLowerCase(Locale.ROOT);
        List<String> hosts = new ArrayList<>();
        for (String entry : value.split(",")) {
            String host = entry.trim();
            if (host.equals("*")) {
                return List.of(); // every origin: no check
            }
            if (host.contains("/") || host.chars().anyMatch(Character::isWhitespace)) {
                throw invalid(Option.ALLOWED_ORIGINS, value,
                        "must list hosts (example.com, example.com:8443, *.example.com), not URLs");
            }
            if (!host.isEmpty()) {
                hosts.add(host);
            }
        }
        return hosts;
    }

    private boolean bool(Option option) {
        String value = raw(option).toLowerCase(Locale.ROOT);
        return switch (value) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw invalid(option, value, "must be true or false");
        };
    }

    /** Whole or fractional seconds ({@code 15}, {@code 0.5}); 0 means "immediately" or "off", per option. */
    private Duration seconds(Option option) {
        String value = raw(option);
        try {
            BigDecimal seconds = new BigDecimal(value);
            long millis = seconds.movePointRight(3).longValueExact();
            if (millis < 0) {
                throw invalid(option, value, "must not be negative");
            }
            return Duration.ofMillis(millis);
        } catch (NumberFormatException | ArithmeticException e) {
            throw invalid(option, value, "must be a number of seconds");
        }
    }

    private long number(Option option, long min, long max) {
        String value = raw(option);
        try {
            long n = Long.parseLong(value);
            if (n < min || n > max) {
                throw invalid(option, value, "must be between " + min + " and " + max);
            }
            return n;
        } catch (NumberFormatException e) {
            throw invalid(option, value, "must be a whole number");
        }
    }

    private ConfigException invalid(Option option, String value, String why) {
        return new ConfigException("jcable: invalid value '" + value + "' for option '" + option.key()
                + "' (from " + origin.get(option) + "): " + why);
    }
}
