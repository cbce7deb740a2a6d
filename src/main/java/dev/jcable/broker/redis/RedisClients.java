package dev.jcable.broker.redis;

import dev.jcable.broker.BrokerUnavailableException;
import dev.jcable.config.CableConfig;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.security.CodeSource;
import java.time.Duration;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The Lettuce client of one deployment: its event loops, timer and computation threads all come from the given
 * (container-managed) thread factory, and {@link #close()} ends every one of them. Two connections: one for commands
 * and scripts (thread-safe, pipelined), one for pub/sub. Both reconnect by themselves; while one is down its
 * commands fail at once (rather than queue without bound) and the caller says so.
 */
final class RedisClients implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RedisClients.class.getName());
    /** The command timeout unless the URL sets one ({@code ?timeout=2s}); Lettuce's own default is 60 s. */
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    final ClientResources resources;
    final RedisClient client;
    final StatefulRedisConnection<String, String> commands;
    final StatefulRedisPubSubConnection<String, String> pubsub;
    final Duration timeout;

    private RedisClients(ClientResources resources, RedisClient client, StatefulRedisConnection<String, String> commands,
                         StatefulRedisPubSubConnection<String, String> pubsub, Duration timeout) {
        this.resources = resources;
        this.client = client;
        this.commands = commands;
        this.pubsub = pubsub;
        this.timeout = timeout;
    }

    static RedisClients connect(String url, ThreadFactory threads) {
        RedisURI uri = RedisURI.create(url);
        if (!url.contains("timeout=")) {
            uri.setTimeout(DEFAULT_TIMEOUT);
        }
        ClientResources resources = DefaultClientResources.builder()
                .threadFactoryProvider(pool -> named(threads, pool))
                .ioThreadPoolSize(2) // one event loop per connection
                .computationThreadPoolSize(1)
                // Lettuce's default backs off to 30 s: a real-time server should be back within 2 s of Redis
                .reconnectDelay(Delay.equalJitter(Duration.ofMillis(100), Duration.ofSeconds(2), 100,
                        TimeUnit.MILLISECONDS))
                .build();
        RedisClient client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled())
                .build());
        StatefulRedisConnection<String, String> commands = null;
        try {
            commands = client.connect();
            StatefulRedisPubSubConnection<String, String> pubsub = client.connectPubSub();
            LOG.info(() -> "jcable: connected to Redis at " + CableConfig.redactUrl(url) + "; " + versions());
            return new RedisClients(resources, client, commands, pubsub, uri.getTimeout());
        } catch (RuntimeException e) {
            if (commands != null) {
                commands.close();
            }
            shutdown(client, resources);
            throw new BrokerUnavailableException("jcable: cannot reach Redis at " + CableConfig.redactUrl(url) + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        pubsub.close();
        commands.close();
        shutdown(client, resources);
    }

    private static void shutdown(RedisClient client, ClientResources resources) {
        try {
            client.shutdown(0, 2, TimeUnit.SECONDS);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "jcable: the Redis client did not shut down cleanly", e);
        }
        try {
            resources.shutdown(0, 2, TimeUnit.SECONDS).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.log(Level.WARNING, "jcable: the Redis client's threads did not stop in time", e);
        }
    }

    private static ThreadFactory named(ThreadFactory threads, String pool) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = threads.newThread(task);
            thread.setName("jcable-" + pool + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** Which Lettuce, Netty and Reactor this deployment runs, and where each was loaded from. */
    static String versions() {
        return "Lettuce " + version("io.lettuce.core.RedisClient") + ", Netty " + version("io.netty.util.Version")
                + ", Reactor " + version("reactor.core.publisher.Flux");
    }

    private static String version(String className) {
        try {
            Class<?> type = Class.forName(className, false, RedisClients.class.getClassLoader());
            String version = type.getPackage() == null ? null : type.getPackage().getImplementationVersion();
            CodeSource source = type.getProtectionDomain().getCodeSource();
            return (version == null ? "?" : version) + " (" + (source == null ? "the server" : source.getLocation())
                    + ")";
        } catch (ClassNotFoundException | SecurityException e) {
            return "not found";
        }
    }
}
