package dev.jcable.config;

import java.util.Locale;

/**
 * Every configuration option, with AnyCable's name and jcable's default. The packaged {@code web.xml} carries the
 * same defaults as {@code env-entry}s (a unit test keeps the two equal).
 */
public enum Option {
    SECRET("", true),
    STREAMS_SECRET("", true),
    BROADCAST_KEY("", true),
    API_SECRET("", true),
    JWT_SECRET("", true),
    TURBO_STREAMS_SECRET("", true),
    PUBLIC("false", false),
    PUBLIC_STREAMS("false", false),
    STREAMS_PRESENCE("true", false),
    STREAMS_WHISPER("false", false),
    TURBO_STREAMS("false", false),
    JWT_PARAM("jid", false),
    ENFORCE_JWT("false", false),
    BROKER("memory", false),
    REDIS_URL("redis://localhost:6379", false),
    REDIS_PREFIX("jcable", false),
    BROADCAST_ADAPTER("http", false),
    REDIS_CHANNEL("__anycable__", false),
    REDISX_STREAM("__anycable__", false),
    PRESENCE_TTL("15", false),
    HISTORY_LIMIT("100", false),
    HISTORY_TTL("300", false),
    SESSIONS_TTL("300", false),
    SESSIONS_MAX_SIZE("16777216", false),
    PING_INTERVAL("3", false),
    PING_TIMESTAMP_PRECISION("s", false),
    ENABLE_NATIVE_PINGS("true", false),
    PONG_TIMEOUT("8", false),
    ALLOWED_ORIGINS("*", false),
    MAX_MESSAGE_SIZE("65536", false),
    MAX_IDENTIFIER_SIZE("1024", false),
    MAX_BROADCAST_SIZE("1048576", false),
    WS_MAX_PENDING_SIZE("1048576", false),
    WS_WRITE_TIMEOUT("2", false),
    WS_TRANSPORT("auto", false),
    MAX_SUBSCRIPTIONS("128", false),
    COMMAND_RATE_LIMIT("50", false),
    COMMAND_RATE_BURST("200", false),
    PRESENCE_MAX_MEMBERS("10000", false),
    PRESENCE_INFO_MAX_SIZE("4096", false),
    DEMO("false", false),
    PRESENCE_IDENTITY("", false),
    PRESENCE_WEBHOOK_URL("", false),
    PRESENCE_WEBHOOK_SECRET("", true),
    PRESENCE_WEBHOOK_BATCH("0.5", false),
    PRESENCE_WEBHOOK_RETRY("300", false),
    RPC_HOST("", false),
    RPC_CONCURRENCY("28", false),
    RPC_REQUEST_TIMEOUT("3000", false),
    RPC_ENABLE_TLS("false", false),
    HTTP_RPC_TIMEOUT("3", false),
    HTTP_RPC_SECRET("", true),
    HEADERS("cookie", false),
    DISCONNECT_RATE("100", false),
    DISCONNECT_TIMEOUT("5", false),
    DISABLE_DISCONNECT("false", false),
    PUSHER_APP_ID("", false),
    PUSHER_APP_KEY("", false),
    PUSHER_SECRET("", true),
    PUSHER_WEBHOOK_URL("", false),
    PUSHER_MAX_CONNECTIONS("0", false),
    SSE("false", false),
    SSE_PATH("/events", false),
    METRICS_HTTP("/metrics", false),
    METRICS_KEY("", true),
    STATS_REFRESH_INTERVAL("0", false),
    SHUTDOWN_DRAIN_WINDOW("0", false);

    private final String defaultValue;
    private final boolean secret;

    Option(String defaultValue, boolean secret) {
        this.defaultValue = defaultValue;
        this.secret = secret;
    }

    /** AnyCable's option name, e.g. {@code presence_ttl}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The environment variable, e.g. {@code ANYCABLE_PRESENCE_TTL}. */
    public String envName() {
        return "ANYCABLE_" + name();
    }

    /**
     * A second environment variable read when {@link #envName()} is unset, or null: {@code REDIS_URL}, as AnyCable
     * does, so a platform that provisions Redis that way (Heroku, Render, Fly) needs no extra setting.
     */
    public String fallbackEnvName() {
        return this == REDIS_URL ? "REDIS_URL" : null;
    }

    /** The Java system property, e.g. {@code anycable.presence_ttl}. */
    public String propertyName() {
        return "anycable." + key();
    }

    /** The JNDI name below {@code java:global/} or the server's root, and below {@code java:comp/env/}. */
    public String jndiName() {
        return "anycable/" + key();
    }

    public String defaultValue() {
        return defaultValue;
    }

    /** Secrets are never printed. */
    public boolean secret() {
        return secret;
    }
}
