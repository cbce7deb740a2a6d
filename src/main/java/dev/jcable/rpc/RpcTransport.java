package dev.jcable.rpc;

import dev.jcable.rpc.RpcMessages.CommandCall;
import dev.jcable.rpc.RpcMessages.CommandReply;
import dev.jcable.rpc.RpcMessages.ConnectReply;
import dev.jcable.rpc.RpcMessages.DisconnectCall;
import dev.jcable.rpc.RpcMessages.Env;
import dev.jcable.rpc.RpcMessages.Status;
import java.util.concurrent.CompletableFuture;

/**
 * One way of carrying the three calls (HTTP or gRPC). Each returns at once; its future fails with
 * {@link RpcException} ({@link RpcException#retryable()} when the backend is unavailable or exhausted).
 */
public interface RpcTransport {

    CompletableFuture<ConnectReply> connect(String sid, Env env);

    CompletableFuture<CommandReply> command(String sid, CommandCall call);

    CompletableFuture<Status> disconnect(String sid, DisconnectCall call);

    /** Ends its connections; calls in flight may fail. */
    void close();
}
