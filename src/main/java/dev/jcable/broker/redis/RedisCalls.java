package dev.jcable.broker.redis;

import dev.jcable.broker.BrokerUnavailableException;
import dev.jcable.metrics.Counter;
import dev.jcable.metrics.Latency;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Scripts and commands on the shared command connection (thread-safe; concurrent callers are pipelined on it).
 * A blocking call waits at most the command timeout; every failure to reach Redis, including a connection not open
 * yet, becomes a {@link BrokerUnavailableException}. Every wait is measured ({@link Latency#BROKER_CALL}) and every
 * failure counted ({@link Counter#BROKER_ERRORS}) here, the one place a node thread waits for Redis.
 */
final class RedisCalls {

    private final RedisClients clients;
    private final long timeoutMillis;

    RedisCalls(RedisClients clients) {
        this.clients = clients;
        this.timeoutMillis = clients.timeout.toMillis();
    }

    /** How long one call waits for Redis at most. */
    long timeoutMillis() {
        return timeoutMillis;
    }

    /** The commands; throws {@link BrokerUnavailableException} while the node has not connected yet. */
    RedisAsyncCommands<String, String> commands() {
        return clients.commands().async();
    }

    /** The script's future; failed, never thrown, while the node has not connected yet. */
    <T> CompletableFuture<T> async(RedisScripts script, String[] keys, String... args) {
        RedisAsyncCommands<String, String> redis;
        try {
            redis = commands();
        } catch (BrokerUnavailableException e) {
            return CompletableFuture.failedFuture(e);
        }
        return script.run(redis, keys, args);
    }

    <T> T call(RedisScripts script, String[] keys, String... args) {
        long start = System.nanoTime();
        return await(this.<T>async(script, keys, args), script.name(), start);
    }

    /** Waits for {@code future}; Redis errors, timeouts and a lost connection become one unchecked exception. */
    <T> T await(CompletableFuture<T> future, String what) {
        return await(future, what, System.nanoTime());
    }

    private <T> T await(CompletableFuture<T> future, String what, long start) {
        return await(future, what, start, timeoutMillis);
    }

    /** As {@link #await(CompletableFuture, String)}, waiting at most {@code millis} (a share of a larger budget). */
    <T> T awaitWithin(CompletableFuture<T> future, String what, long millis) {
        return await(future, what, System.nanoTime(), millis);
    }

    private <T> T await(CompletableFuture<T> future, String what, long start, long timeoutMillis) {
        try {
            T result = future.get(timeoutMillis, TimeUnit.MILLISECONDS);
            Latency.BROKER_CALL.since(start);
            return result;
        } catch (InterruptedException e) {
            Counter.BROKER_ERRORS.increment();
            Thread.currentThread().interrupt();
            throw new BrokerUnavailableException("jcable: interrupted while waiting for Redis (" + what + ")", e);
        } catch (ExecutionException e) {
            Counter.BROKER_ERRORS.increment();
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new BrokerUnavailableException("jcable: Redis failed (" + what + "): " + cause.getMessage(), cause);
        } catch (TimeoutException e) {
            Counter.BROKER_ERRORS.increment();
            future.cancel(false);
            throw new BrokerUnavailableException("jcable: Redis did not answer in " + timeoutMillis + " ms ("
                    + what + ")", e);
        }
    }
}
