package dev.jcable.broker.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The Lua scripts (resources beside this class, each prefixed with {@code lib.lua}), run by SHA with
 * {@code EVALSHA}; a Redis that does not know a script yet (first use, restart, {@code SCRIPT FLUSH}) gets its text
 * once with {@code EVAL}, which also caches it there.
 */
enum RedisScripts {
    PUBLISH("publish", ScriptOutputType.MULTI),
    HISTORY("history", ScriptOutputType.MULTI),
    STREAM_POSITION("stream_position", ScriptOutputType.MULTI),
    PRESENCE_ADD("presence_add", ScriptOutputType.MULTI),
    PRESENCE_REMOVE("presence_remove", ScriptOutputType.MULTI),
    PRESENCE_DISCONNECTED("presence_disconnected", ScriptOutputType.INTEGER),
    PRESENCE_TOUCH("presence_touch", ScriptOutputType.MULTI),
    PRESENCE_EXPIRE("presence_expire", ScriptOutputType.MULTI),
    PRESENCE_DUE("presence_due", ScriptOutputType.MULTI),
    PRESENCE_INFO("presence_info", ScriptOutputType.MULTI),
    PRESENCE_COUNT("presence_count", ScriptOutputType.MULTI),
    PRESENCE_MARK("presence_mark", ScriptOutputType.VALUE);

    private final String text;
    private final String sha;
    private final ScriptOutputType output;

    RedisScripts(String name, ScriptOutputType output) {
        this.text = resource("lib") + "\n" + resource(name);
        this.sha = sha1(text);
        this.output = output;
    }

    /** Runs the script; the future fails with the Redis error, or with the client's when Redis is unreachable. */
    <T> CompletableFuture<T> run(RedisAsyncCommands<String, String> redis, String[] keys, String... args) {
        CompletableFuture<T> bySha = redis.<T>evalsha(sha, output, keys, args).toCompletableFuture();
        return bySha.exceptionallyCompose(e -> {
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof RedisNoScriptException) {
                return redis.<T>eval(text, output, keys, args).toCompletableFuture();
            }
            return CompletableFuture.failedFuture(cause);
        });
    }

    private static String resource(String name) {
        try (InputStream in = RedisScripts.class.getResourceAsStream(name + ".lua")) {
            if (in == null) {
                throw new IllegalStateException("jcable: script " + name + ".lua is missing from the WAR");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha1(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
