package dev.jcable.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {

    private static final String SECRET = "secret";
    /** hex(HMAC-SHA256("secret", "broadcast-cable")) and hex(HMAC-SHA256("secret", "api-cable")), from openssl. */
    private static final String SECRET_BROADCAST_KEY = "fc20575eaa046c555be789f7a9df5111d64eb17e4956597597c3220c1ad14739";
    private static final String SECRET_API_KEY = "34fc66511bfadc564d321c133052f6d70cd9f768ca65d0186fbf51b5c16ed3aa";

    private static CableConfig load(ConfigSource... sources) {
        return new ConfigLoader(List.of(sources)).load();
    }

    /** One source named {@code test} holding {@code secret} plus the given option/value pairs. */
    private static CableConfig loadWithSecret(Object... pairs) {
        return load(source("test", pairs), ConfigSource.of("base", Map.of(Option.SECRET, SECRET)));
    }

    private static ConfigSource source(String name, Object... pairs) {
        Map<Option, String> values = new java.util.EnumMap<>(Option.class);
        for (int i = 0; i < pairs.length; i += 2) {
            values.put((Option) pairs[i], (String) pairs[i + 1]);
        }
        return ConfigSource.of(name, values);
    }

    private static ConfigException invalid(Option option, String value) {
        return assertThrows(ConfigException.class,
                () -> load(source("src-under-test", Option.SECRET, SECRET, option, value)));
    }

    // ---- resolution --------------------------------------------------------------------------------

    @Test
    void aPlaceholderTheServerLeftUnresolvedFailsNamingTheOption() {
        for (String placeholder : new String[] {"${ENV=APP_SECRET}", "${env.APP_SECRET}", " ${APP_SECRET} "}) {
            ConfigException e = assertThrows(ConfigException.class, () -> load(
                    source("jndi anycable/*", Option.SECRET, placeholder),
                    source("environment ANYCABLE_*", Option.SECRET, SECRET)));
            assertEquals("jcable: option 'secret' (from jndi anycable/*) is '" + placeholder.trim() + "', a placeholder"
                    + " the server did not resolve: set what it names, or remove the entry so that a later source"
                    + " applies", e.getMessage());
        }
        // text around or inside a value is not a placeholder
        assertEquals("a${b}", loadWithSecret(Option.JWT_SECRET, "a${b}").jwtSecret());
        assertEquals("${}", loadWithSecret(Option.JWT_SECRET, "${}").jwtSecret());
    }

    @Test
    void firstSourceWinsThenLaterSourcesThenDefault() {
        CableConfig config = load(
                source("first", Option.PRESENCE_TTL, "5", Option.SECRET, SECRET),
                source("second", Option.PRESENCE_TTL, "7", Option.PING_INTERVAL, "9"));
        assertEquals(Duration.ofSeconds(5), config.presenceTtl());
        assertEquals(Duration.ofSeconds(9), config.pingInterval());
        assertEquals(128, config.maxSubscriptions());
        assertEquals("first", config.sources().get(Option.PRESENCE_TTL));
        assertEquals("second", config.sources().get(Option.PING_INTERVAL));
        assertEquals("default", config.sources().get(Option.MAX_SUBSCRIPTIONS));
        assertEquals("first", config.sources().get(Option.SECRET));
    }

    @Test
    void emptyLookupFallsThroughToTheNextSource() {
        ConfigSource empty = new ConfigSource("empty", o -> java.util.Optional.empty());
        CableConfig config = load(empty, source("second", Option.BROKER, "memory"));
        assertEquals("second", config.sources().get(Option.BROKER));
    }

    @Test
    void valuesAreTrimmed() {
        CableConfig config = loadWithSecret(Option.PRESENCE_TTL, " 4 \n", Option.PUBLIC_STREAMS, " true ");
        assertEquals(Duration.ofSeconds(4), config.presenceTtl());
        assertTrue(config.publicStreams());
    }

    @Test
    void everyOptionHasAnOrigin() {
        CableConfig config = loadWithSecret();
        assertEquals(EnumSet.allOf(Option.class), EnumSet.copyOf(config.sources().keySet()));
    }

    @Test
    void defaults() {
        CableConfig c = loadWithSecret();
        assertFalse(c.publicMode());
        assertFalse(c.publicStreams());
        assertTrue(c.streamsPresence());
        assertEquals("memory", c.broker());
        assertEquals(Duration.ofSeconds(15), c.presenceTtl());
        assertEquals(Duration.ofSeconds(3), c.pingInterval());
        assertEquals("s", c.pingTimestampPrecision());
        assertEquals(65536, c.maxMessageSize());
        assertEquals(1048576L, c.wsMaxPendingSize());
        assertEquals(Duration.ofSeconds(2), c.wsWriteTimeout());
        assertEquals(128, c.maxSubscriptions());
        assertEquals(10000, c.presenceMaxMembers());
        assertEquals(4096, c.presenceInfoMaxSize());
        assertTrue(c.nativePings());
        assertEquals(Duration.ofSeconds(8), c.pongTimeout());
        assertEquals(List.of(), c.allowedOrigins(), "every origin");
        assertEquals(1024, c.maxIdentifierSize());
        assertEquals(1048576, c.maxBroadcastSize());
        assertEquals(16777216L, c.sessionsMaxSize());
    }

    @Test
    void allowedOriginsAreLowerCaseHostsAndAStarAloneAllowsEveryOrigin() {
        assertEquals(List.of("www.example.com", "*.example.io", "localhost:3000"),
                loadWithSecret(Option.ALLOWED_ORIGINS, " WWW.Example.com, *.example.io ,,localhost:3000").allowedOrigins());
        assertEquals(List.of(), loadWithSecret(Option.ALLOWED_ORIGINS, "a.com,*").allowedOrigins());
        assertEquals(List.of(), loadWithSecret(Option.ALLOWED_ORIGINS, "").allowedOrigins());
        assertEquals("jcable: invalid value 'https://example.com' for option 'allowed_origins' (from src-under-test): "
                + "must list hosts (example.com, example.com:8443, *.example.com), not URLs",
                invalid(Option.ALLOWED_ORIGINS, "https://example.com").getMessage());
    }

    @Test
    void theLargestFrameCoversEveryMessageAtItsWorst() {
        CableConfig c = loadWithSecret();
        long identifier = 6L * 1024 + 2;
        assertEquals(6L * 1048576 + 2 + 2 * identifier + 1024, c.maxFrameSize());
        CableConfig manySubscriptions = loadWithSecret(Option.MAX_SUBSCRIPTIONS, "10000");
        assertEquals(10000 * (identifier + 1) + 2 * identifier + 1024, manySubscriptions.maxFrameSize());
    }

    @Test
    void defaultsAreAttributedToDefault() {
        CableConfig c = loadWithSecret();
        for (Option option : Option.values()) {
            if (!option.secret()) {
                assertEquals("default", c.sources().get(option), option.key());
            }
        }
    }

    // ---- durations ---------------------------------------------------------------------------------

    @Test
    void nonNumericDurationNamesOptionAndSource() {
        ConfigException e = invalid(Option.PRESENCE_TTL, "abc");
        assertTrue(e.getMessage().contains("presence_ttl"), e.getMessage());
        assertTrue(e.getMessage().contains("src-under-test"), e.getMessage());
        assertTrue(e.getMessage().contains("'abc'"), e.getMessage());
    }

    @Test
    void negativeDurationIsRejected() {
        ConfigException e = invalid(Option.PRESENCE_TTL, "-1");
        assertTrue(e.getMessage().contains("presence_ttl"), e.getMessage());
        assertTrue(e.getMessage().contains("negative"), e.getMessage());
    }

    @Test
    void fractionalSecondsBecomeMillis() {
        assertEquals(Duration.ofMillis(500), loadWithSecret(Option.PRESENCE_TTL, "0.5").presenceTtl());
        assertEquals(Duration.ofMillis(1250), loadWithSecret(Option.PING_INTERVAL, "1.25").pingInterval());
        assertEquals(Duration.ZERO, loadWithSecret(Option.PRESENCE_TTL, "0").presenceTtl());
    }

    @Test
    void subMillisecondDurationIsRejected() {
        assertTrue(invalid(Option.WS_WRITE_TIMEOUT, "0.0005").getMessage().contains("ws_write_timeout"));
    }

    // ---- booleans, enums, numbers ------------------------------------------------------------------

    @Test
    void booleanSpellings() {
        assertTrue(loadWithSecret(Option.STREAMS_PRESENCE, "true").streamsPresence());
        assertFalse(loadWithSecret(Option.STREAMS_PRESENCE, "false").streamsPresence());
        assertTrue(loadWithSecret(Option.PUBLIC_STREAMS, "yes").publicStreams());
        assertFalse(loadWithSecret(Option.STREAMS_PRESENCE, "no").streamsPresence());
        assertTrue(loadWithSecret(Option.PUBLIC_STREAMS, "TRUE").publicStreams());
    }

    @Test
    void unknownBooleanIsRejected() {
        ConfigException e = invalid(Option.STREAMS_PRESENCE, "maybe");
        assertTrue(e.getMessage().contains("streams_presence"), e.getMessage());
        assertTrue(e.getMessage().contains("src-under-test"), e.getMessage());
    }

    @Test
    void theBrokersAreMemoryAndRedis() {
        assertEquals("jcable: invalid value 'nats' for option 'broker' (from src-under-test): must be one of "
                + "[memory, redis]", invalid(Option.BROKER, "nats").getMessage());
        assertEquals("memory", loadWithSecret(Option.BROKER, "Memory").broker());
        assertEquals("redis", loadWithSecret(Option.BROKER, "REDIS").broker());
    }

    @Test
    void redisUrlTakesRedisAndRedissWithPasswordAndDatabase() {
        assertEquals("redis://localhost:6379", loadWithSecret().redisUrl());
        for (String url : new String[] {"redis://r1:6380/2", "rediss://:pw@r1:6380/15", "redis://user:pw@r1",
                "redis://r1/"}) {
            assertEquals(url, loadWithSecret(Option.REDIS_URL, url).redisUrl());
        }
        assertEquals("jcable: invalid value 'http://r1' for option 'redis_url' (from src-under-test): must start with"
                + " redis:// or rediss://", invalid(Option.REDIS_URL, "http://r1").getMessage());
        assertEquals("jcable: invalid value 'redis://:***@r1/x' for option 'redis_url' (from src-under-test): database"
                + " must be a number, e.g. redis://localhost:6379/2", invalid(Option.REDIS_URL, "redis://:pw@r1/x").getMessage());
        assertTrue(invalid(Option.REDIS_URL, "redis:///0").getMessage().endsWith("names no host"));
    }

    @Test
    void redisUrlFallsBackToTheRedisUrlVariableAsAnyCableDoes() {
        Map<String, String> env = new java.util.HashMap<>(Map.of("REDIS_URL", "redis://platform:6379/1"));
        ConfigSource source = ConfigSource.environment(env::get);
        assertEquals("redis://platform:6379/1", load(source, ConfigSource.of("base", Map.of(Option.SECRET, SECRET)))
                .redisUrl());
        env.put("ANYCABLE_REDIS_URL", "redis://own:6379/2");
        assertEquals("redis://own:6379/2", load(source, ConfigSource.of("base", Map.of(Option.SECRET, SECRET)))
                .redisUrl());
        // only redis_url has a fallback
        env.put("BROKER", "redis");
        assertEquals("memory", load(source, ConfigSource.of("base", Map.of(Option.SECRET, SECRET))).broker());
    }

    @Test
    void theSummaryHidesTheRedisPassword() {
        String summary = loadWithSecret(Option.REDIS_URL, "rediss://app:s3cret@r1:6380/2").summary();
        assertTrue(summary.contains("redis_url=rediss://app:***@r1:6380/2 (test)"), summary);
        assertFalse(summary.contains("s3cret"), summary);
        assertEquals("redis://***@r1", CableConfig.redactUrl("redis://s3cret@r1"));
        assertEquals("redis://:***@r1", CableConfig.redactUrl("redis://:s3cret@r1"));
    }

    /** A webhook receiver's key rides in the userinfo or the query: never shown, neither at start nor on a failure. */
    @Test
    void webhookUrlsAreShownWithoutUserinfoOrQueryValues() {
        assertEquals("https://***@hooks.example/in?token=***&v=***#***",
                CableConfig.redactUrl("https://t0ken@hooks.example/in?token=abc&v=1#frag"));
        assertEquals("https://app:***@hooks.example/in?***", CableConfig.redactUrl("https://app:pw@hooks.example/in?abc"));
        assertEquals("https://hooks.example/a@b?mail=***", CableConfig.redactUrl("https://hooks.example/a@b?mail=x@y"));
        assertEquals("https://hooks.example:8443/in", CableConfig.redactUrl("https://hooks.example:8443/in"));
        String summary = loadWithSecret(Option.PRESENCE_WEBHOOK_URL, "https://app:pw1@h.example/in?token=tk1").summary();
        assertTrue(summary.contains("presence_webhook_url=https://app:***@h.example/in?token=*** (test)"), summary);
        ConfigException e = assertThrows(ConfigException.class,
                () -> loadWithSecret(Option.PRESENCE_WEBHOOK_URL, "ftp://app:pw1@h.example/in?token=tk1"));
        assertEquals("jcable: invalid value 'ftp://app:***@h.example/in?token=***' for option 'presence_webhook_url'"
                + " (from test): must be an absolute http:// or https:// URL", e.getMessage());
        ConfigException opaque = assertThrows(ConfigException.class,
                () -> loadWithSecret(Option.PRESENCE_WEBHOOK_URL, "tk1:pw1"));
        assertFalse(opaque.getMessage().contains("pw1"), opaque.getMessage());
    }

    @Test
    void broadcastAdaptersAreAnyCablesListAndTheRedisOnesNeedTheRedisBroker() {
        assertEquals(java.util.Set.of("http"), loadWithSecret().broadcastAdapters());
        assertEquals(java.util.Set.of("http", "redisx", "redis"), loadWithSecret(Option.BROKER, "redis",
                Option.BROADCAST_ADAPTER, "http, redisx,REDIS").broadcastAdapters());
        assertEquals(java.util.Set.of("redisx"), loadWithSecret(Option.BROKER, "redis",
                Option.BROADCAST_ADAPTER, "redisx").broadcastAdapters());
        assertEquals("jcable: invalid value 'http,nats' for option 'broadcast_adapter' (from src-under-test): each must"
                + " be one of [http, redis, redisx] (a comma-separated list)",
                invalid(Option.BROADCAST_ADAPTER, "http,nats").getMessage());
        assertEquals("jcable: invalid value 'redisx' for option 'broadcast_adapter' (from src-under-test): redis and"
                + " redisx need broker=redis", invalid(Option.BROADCAST_ADAPTER, "redisx").getMessage());
        assertEquals("__anycable__", loadWithSecret().redisChannel());
        assertEquals("__anycable__", loadWithSecret().redisxStream());
        assertEquals("my_stream", loadWithSecret(Option.REDISX_STREAM, "my_stream").redisxStream());
        assertTrue(invalid(Option.REDIS_CHANNEL, "").getMessage().endsWith("must not be empty"));
    }

    @Test
    void redisPrefixIsAKeySafeWord() {
        assertEquals("jcable", loadWithSecret().redisPrefix());
        assertEquals("app-2:cable", loadWithSecret(Option.REDIS_PREFIX, "app-2:cable").redisPrefix());
        assertTrue(invalid(Option.REDIS_PREFIX, "a{b}").getMessage().contains("redis_prefix"));
        assertTrue(invalid(Option.REDIS_PREFIX, "").getMessage().contains("redis_prefix"));
    }

    @Test
    void pingTimestampPrecision() {
        assertTrue(invalid(Option.PING_TIMESTAMP_PRECISION, "x").getMessage().contains("ping_timestamp_precision"));
        assertEquals("ms", loadWithSecret(Option.PING_TIMESTAMP_PRECISION, "MS").pingTimestampPrecision());
        assertEquals("ns", loadWithSecret(Option.PING_TIMESTAMP_PRECISION, "ns").pingTimestampPrecision());
    }

    @Test
    void wholeNumbersAreCheckedAgainstTheirBounds() {
        assertTrue(invalid(Option.MAX_MESSAGE_SIZE, "255").getMessage().contains("max_message_size"));
        assertTrue(invalid(Option.MAX_SUBSCRIPTIONS, "1.5").getMessage().contains("max_subscriptions"));
        assertTrue(invalid(Option.PRESENCE_MAX_MEMBERS, "0").getMessage().contains("presence_max_members"));
        assertEquals(256, loadWithSecret(Option.MAX_MESSAGE_SIZE, "256").maxMessageSize());
    }

    // ---- secrets -----------------------------------------------------------------------------------

    @Test
    void streamsSecretFallsBackToSecret() {
        CableConfig c = loadWithSecret();
        assertEquals(SECRET, c.secret());
        assertEquals(SECRET, c.streamsSecret());
        assertEquals("from secret", c.sources().get(Option.STREAMS_SECRET));
    }

    @Test
    void explicitStreamsSecretWins() {
        CableConfig c = loadWithSecret(Option.STREAMS_SECRET, "streams-only");
        assertEquals("streams-only", c.streamsSecret());
        assertEquals("test", c.sources().get(Option.STREAMS_SECRET));
    }

    @Test
    void noneMeansEmpty() {
        assertEquals("", loadWithSecret(Option.STREAMS_SECRET, "none").streamsSecret());
        assertEquals("", loadWithSecret(Option.STREAMS_SECRET, "NONE").streamsSecret());
    }

    @Test
    void keysAreDerivedFromTheSecret() {
        CableConfig c = loadWithSecret();
        assertEquals(SECRET_BROADCAST_KEY, c.broadcastKey());
        assertEquals(SECRET_API_KEY, c.apiSecret());
        assertEquals("derived from secret", c.sources().get(Option.BROADCAST_KEY));
        assertEquals("derived from secret", c.sources().get(Option.API_SECRET));
    }

    /**
     * A webhook receiver holds the webhook's key: it must not be the secret that signs streams and mints tokens.
     * hex(HMAC-SHA256("secret", "presence-webhook-cable")), from openssl.
     */
    @Test
    void theWebhookSecretIsDerivedFromTheSecretNotTheSecretItself() {
        String derived = "79c702294006ed945a420e1a3b8b60bba1e7418143d7b1f1b41d01df0db7fc78";
        CableConfig c = loadWithSecret();
        assertEquals(derived, c.presenceWebhookSecret());
        assertNotEquals(SECRET, c.presenceWebhookSecret());
        assertEquals("derived from secret", c.sources().get(Option.PRESENCE_WEBHOOK_SECRET));
        assertEquals(derived, loadWithSecret(Option.PUBLIC, "true").presenceWebhookSecret());
        assertEquals("mine", loadWithSecret(Option.PRESENCE_WEBHOOK_SECRET, "mine").presenceWebhookSecret());
    }

    @Test
    void explicitKeysWin() {
        CableConfig c = loadWithSecret(Option.BROADCAST_KEY, "my-broadcast-key", Option.API_SECRET, "my-api-key");
        assertEquals("my-broadcast-key", c.broadcastKey());
        assertEquals("my-api-key", c.apiSecret());
    }

    @Test
    void noneKeysAreNull() {
        CableConfig c = loadWithSecret(Option.BROADCAST_KEY, "none", Option.API_SECRET, "none");
        assertNull(c.broadcastKey());
        assertNull(c.apiSecret());
    }

    @Test
    void publicModeNeedsNoKeysAndAllowsPublicStreams() {
        CableConfig c = loadWithSecret(Option.PUBLIC, "true");
        assertTrue(c.publicMode());
        assertTrue(c.publicStreams());
        assertNull(c.broadcastKey());
        assertNull(c.apiSecret());
        assertEquals("public mode: no key", c.sources().get(Option.BROADCAST_KEY));
    }

    @Test
    void publicModeStillResolvesPublicStreams() {
        CableConfig c = loadWithSecret(Option.PUBLIC, "true");
        assertEquals(EnumSet.allOf(Option.class), EnumSet.copyOf(c.sources().keySet()));
        assertFalse(c.summary().contains("(null)"), c.summary());
        assertThrows(ConfigException.class, () -> loadWithSecret(Option.PUBLIC, "true", Option.PUBLIC_STREAMS, "maybe"));
    }

    @Test
    void missingSecretIsGenerated() {
        CableConfig c = load();
        assertTrue(c.secret().matches("[0-9a-f]{64}"), c.secret());
        assertEquals("generated", c.sources().get(Option.SECRET));
        assertEquals(c.secret(), c.streamsSecret());
        assertEquals(dev.jcable.streams.MessageVerifier.derive(c.secret(), "broadcast-cable"), c.broadcastKey());
        assertNotEquals(c.secret(), load().secret());
    }

    @Test
    void secretNoneIsGeneratedToo() {
        CableConfig c = load(source("test", Option.SECRET, "none"));
        assertEquals("generated", c.sources().get(Option.SECRET));
        assertEquals(64, c.secret().length());
    }

    // ---- summary -----------------------------------------------------------------------------------

    @Test
    void summaryNeverShowsSecrets() {
        CableConfig c = load(source("test", Option.SECRET, "TopSecretValue1", Option.STREAMS_SECRET, "StreamsSecret2",
                Option.BROADCAST_KEY, "BroadcastKey3", Option.API_SECRET, "ApiSecret4"));
        String summary = c.summary();
        for (String value : List.of("TopSecretValue1", "StreamsSecret2", "BroadcastKey3", "ApiSecret4")) {
            assertFalse(summary.contains(value), summary);
        }
        assertTrue(summary.contains(" secret=<set> (test)"), summary);
        assertTrue(summary.contains("presence_ttl=15s (default)"), summary);
    }

    @Test
    void summaryHidesDerivedAndGeneratedSecrets() {
        CableConfig derived = loadWithSecret();
        assertFalse(derived.summary().contains(SECRET_BROADCAST_KEY));
        assertFalse(derived.summary().contains(SECRET_API_KEY));
        CableConfig generated = load();
        assertFalse(generated.summary().contains(generated.secret()), generated.summary());
        assertTrue(generated.summary().contains(" secret=<set> (generated)"), generated.summary());
    }

    @Test
    void summaryShowsValues() {
        String summary = loadWithSecret(Option.PRESENCE_TTL, "0.5", Option.STREAMS_SECRET, "none").summary();
        assertTrue(summary.contains("presence_ttl=500ms (test)"), summary);
        assertTrue(summary.contains("streams_secret=<none> (test)"), summary);
        assertTrue(summary.contains("ping_interval=3s (default)"), summary);
        assertTrue(summary.contains("broker=memory (default)"), summary);
    }

    @Test
    void metricsAreServedAtMetricsWithoutAKeyAndNoStatsLineByDefault() {
        CableConfig config = loadWithSecret();
        assertEquals("/metrics", config.metricsHttp());
        assertEquals(null, config.metricsKey());
        assertEquals(java.time.Duration.ZERO, config.statsRefreshInterval());
    }

    @Test
    void metricsMoveToAnotherPathGetAKeyOrAreTurnedOff() {
        CableConfig moved = loadWithSecret(Option.METRICS_HTTP, "/internal/prometheus", Option.METRICS_KEY, "k3y",
                Option.STATS_REFRESH_INTERVAL, "30");
        assertEquals("/internal/prometheus", moved.metricsHttp());
        assertEquals("k3y", moved.metricsKey());
        assertEquals(java.time.Duration.ofSeconds(30), moved.statsRefreshInterval());
        assertTrue(moved.summary().contains(" metrics_key=<set> "), moved.summary());
        assertEquals("", loadWithSecret(Option.METRICS_HTTP, "none").metricsHttp());
        assertEquals(null, loadWithSecret(Option.METRICS_KEY, "none").metricsKey());
    }

    @Test
    void aMetricsPathThatIsNoPathOrJcablesOwnFailsTheDeployment() {
        assertEquals("jcable: invalid value 'metrics' for option 'metrics_http' (from src-under-test): must be a path"
                + " such as /metrics (letters, digits, . _ ~ - between slashes, no wildcard), or none",
                invalid(Option.METRICS_HTTP, "metrics").getMessage());
        invalid(Option.METRICS_HTTP, "/metrics/*");
        invalid(Option.METRICS_HTTP, "/metrics/");
        assertTrue(invalid(Option.METRICS_HTTP, "/cable").getMessage().endsWith("is one of jcable's own paths"));
        invalid(Option.METRICS_HTTP, "/api/health/ready");
        invalid(Option.STATS_REFRESH_INTERVAL, "-1");
    }
}
