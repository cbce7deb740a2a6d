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
import io.netty.util.concurrent.GlobalEventExecutor;
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
 * and scripts (thread-safe, pipelined), one for pub/sub. Nothing of Lettuce is created before {@link #connect()},
 * which must not run on the thread that deploys the application: Lettuce waits for its timer thread to start, and
 * Open Liberty starts the threads of a {@code ManagedThreadFactory} only once the application has started. A failed
 * connect leaves nothing open and may be retried. Once open, the connections reconnect by themselves; while one is
 * down (or not open yet) its commands fail at once (rather than queue without bound) and the caller says so.
 */
final class RedisClients implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RedisClients.class.getName());
    /** The command timeout unless the URL sets one ({@code ?timeout=2s}); Lettuce's own default is 60 s. */
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    final Duration timeout;
    private final String url;
    private final RedisURI uri;
    private final ThreadFactory threads;
    /** Created by the first {@link #connect()}; guarded by this. */
    private ClientResources resources;
    private RedisClient client;
    private volatile StatefulRedisConnection<String, String> commands;
    private volatile StatefulRedisPubSubConnection<String, String> pubsub;
    private boolean closed;

    /** Parses the URL (a malformed one is refused here, at deployment); creates nothing else. */
    RedisClients(String url, ThreadFactory threads) {
        this.url = url;
        this.threads = threads;
        this.uri = RedisURI.create(url);
        if (!url.contains("timeout=")) {
            uri.setTimeout(DEFAULT_TIMEOUT);
        }
        this.timeout = uri.getTimeout();
    }

    /**
     * Opens the command and pub/sub connections, once; {@code onConnected} runs with the pub/sub connection before
     * anything can use it (to add its listener). Throws {@link BrokerUnavailableException} when Redis cannot be
     * reached, leaving nothing open, so that it can be called again.
     */
    synchronized void connect(java.util.function.Consumer<StatefulRedisPubSubConnection<String, String>> onConnected) {
        if (closed || commands != null) {
            return;
        }
        if (client == null) {
            resources = DefaultClientResources.builder()
                    .threadFactoryProvider(pool -> named(threads, pool))
                    .ioThreadPoolSize(2) // one event loop per connection
                    .computationThreadPoolSize(2) // Lettuce's least
                    // Lettuce's default backs off to 30 s: a real-time server should be back within 2 s of Redis
                    .reconnectDelay(Delay.equalJitter(Duration.ofMillis(100), Duration.ofSeconds(2), 100,
                            TimeUnit.MILLISECONDS))
                    .build();
            client = RedisClient.create(resources, uri);
            client.setOptions(ClientOptions.builder()
                    .autoReconnect(true)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .timeoutOptions(TimeoutOptions.enabled())
                    .build());
        }
        StatefulRedisConnection<String, String> opened = null;
        try {
            opened = client.connect();
            StatefulRedisPubSubConnection<String, String> subscriber = client.connectPubSub();
            onConnected.accept(subscriber);
            pubsub = subscriber;
            commands = opened;
            LOG.info(() -> "jcable: connected to Redis at " + CableConfig.redactUrl(url) + "; " + versions());
        } catch (RuntimeException e) {
            if (opened != null) {
                opened.close();
            }
            throw new BrokerUnavailableException("jcable: cannot reach Redis at " + CableConfig.redactUrl(url) + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * Opens a new pub/sub connection ({@code onConnected} adds its listener), makes it the one {@link #pubsub()}
     * returns, and closes the old one: for a connection that looks open but no longer delivers, which Lettuce would
     * not notice. Throws {@link BrokerUnavailableException} when Redis cannot be reached (the old one stays).
     */
    synchronized StatefulRedisPubSubConnection<String, String> replacePubsub(
            java.util.function.Consumer<StatefulRedisPubSubConnection<String, String>> onConnected) {
        if (closed || pubsub == null) {
            throw notConnected();
        }
        StatefulRedisPubSubConnection<String, String> fresh;
        try {
            fresh = client.connectPubSub();
        } catch (RuntimeException e) {
            throw new BrokerUnavailableException("jcable: cannot reach Redis at " + CableConfig.redactUrl(url) + ": "
                    + e.getMessage(), e);
        }
        onConnected.accept(fresh);
        StatefulRedisPubSubConnection<String, String> old = pubsub;
        pubsub = fresh;
        old.closeAsync();
        return fresh;
    }

    /** The client, for a connection of one's own (the {@code redisx} reader's); null before {@link #connect}. */
    synchronized RedisClient client() {
        return client;
    }

    boolean connected() {
        return commands != null;
    }

    /** The command connection; throws {@link BrokerUnavailableException} before the first connect succeeded. */
    StatefulRedisConnection<String, String> commands() {
        StatefulRedisConnection<String, String> connection = commands;
        if (connection == null) {
            throw notConnected();
        }
        return connection;
    }

    /** The pub/sub connection; throws {@link BrokerUnavailableException} before the first connect succeeded. */
    StatefulRedisPubSubConnection<String, String> pubsub() {
        StatefulRedisPubSubConnection<String, String> connection = pubsub;
        if (connection == null) {
            throw notConnected();
        }
        return connection;
    }

    private BrokerUnavailableException notConnected() {
        return new BrokerUnavailableException("jcable: not connected to Redis at " + CableConfig.redactUrl(url)
                + " yet", null);
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (pubsub != null) {
            pubsub.close();
        }
        if (commands != null) {
            commands.close();
        }
        if (client != null) {
            shutdown(client, resources);
        }
    }

    private static void shutdown(RedisClient client, ClientResources resources) {
        try {
            client.shutdown(0, 2, TimeUnit.SECONDS);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "jcable: the Redis client did not shut down cleanly", e);
        }
        try {
            resources.shutdown(0, 2, TimeUnit.SECONDS).get(5, TimeUnit.SECONDS);
            // Netty tells its executors' termination listeners on its global executor, whose thread (Netty's own,
            // not the container's) ends about a second after its last task: waited for, so that no thread of this
            // deployment outlives the undeploy (it would hold the application's class loader)
            if (!GlobalEventExecutor.INSTANCE.awaitInactivity(5, TimeUnit.SECONDS)) {
                LOG.warning("jcable: Netty's global executor thread did not end in time");
            }
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
