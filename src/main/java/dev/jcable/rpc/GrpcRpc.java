package dev.jcable.rpc;

import dev.jcable.config.RpcSettings;
import dev.jcable.rpc.RpcMessages.CommandCall;
import dev.jcable.rpc.RpcMessages.CommandReply;
import dev.jcable.rpc.RpcMessages.ConnectReply;
import dev.jcable.rpc.RpcMessages.DisconnectCall;
import dev.jcable.rpc.RpcMessages.Env;
import dev.jcable.rpc.RpcMessages.Status;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.okhttp.OkHttpChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * AnyCable RPC over gRPC: service {@code anycable.RPC} of {@code rpc.proto}, on grpc-java's OkHttp transport (no
 * Netty: nothing to collide with a server's own). Each call carries the metadata anycable-go sends ({@code sid},
 * {@code protov: v1}) and a deadline of {@code rpc_request_timeout}. Every thread it uses is the container's: the
 * transport's reader runs on a pool of the managed thread factory, timers on the managed scheduler, answers on the
 * managed executor.
 */
public final class GrpcRpc implements RpcTransport {

    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };
    private static final MethodDescriptor<byte[], byte[]> CONNECT = method("Connect");
    private static final MethodDescriptor<byte[], byte[]> COMMAND = method("Command");
    private static final MethodDescriptor<byte[], byte[]> DISCONNECT = method("Disconnect");
    private static final Metadata.Key<String> SID = Metadata.Key.of("sid", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> PROTOV = Metadata.Key.of("protov", Metadata.ASCII_STRING_MARSHALLER);

    private final ManagedChannel channel;
    private final ExecutorService transportThreads;
    private final long deadlineMillis;

    public GrpcRpc(RpcSettings settings, Executor executor, ThreadFactory threads, ScheduledExecutorService scheduler) {
        this.deadlineMillis = settings.requestTimeout().toMillis();
        this.transportThreads = Executors.newCachedThreadPool(threads);
        OkHttpChannelBuilder builder = OkHttpChannelBuilder.forTarget(settings.host())
                .executor(executor)
                .transportExecutor(transportThreads)
                .scheduledExecutorService(scheduler)
                .keepAliveTime(10, TimeUnit.SECONDS) // as anycable-go: pings every 10 s, a dead backend shows
                .keepAliveWithoutCalls(true);
        channel = (settings.tls() ? builder.useTransportSecurity() : builder.usePlaintext()).build();
        // connect now, at deployment: the first call would otherwise load and initialise the transport (seconds on
        // a loaded machine) on the thread that makes it, a container thread opening a connection
        channel.getState(true);
    }

    private static MethodDescriptor<byte[], byte[]> method(String name) {
        return MethodDescriptor.<byte[], byte[]>newBuilder().setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(MethodDescriptor.generateFullMethodName("anycable.RPC", name))
                .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
    }

    @Override
    public CompletableFuture<ConnectReply> connect(String sid, Env env) {
        return call(CONNECT, sid, RpcProto.connect(env), RpcProto::connectReply);
    }

    @Override
    public CompletableFuture<CommandReply> command(String sid, CommandCall call) {
        return call(COMMAND, sid, RpcProto.command(call), RpcProto::commandReply);
    }

    @Override
    public CompletableFuture<Status> disconnect(String sid, DisconnectCall call) {
        return call(DISCONNECT, sid, RpcProto.disconnect(call), RpcProto::disconnectReply);
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        transportThreads.shutdownNow();
    }

    private <T> CompletableFuture<T> call(MethodDescriptor<byte[], byte[]> method, String sid, byte[] request,
                                          Function<byte[], T> reader) {
        CompletableFuture<T> answer = new CompletableFuture<>();
        Metadata headers = new Metadata();
        headers.put(SID, sid);
        headers.put(PROTOV, "v1");
        ClientCall<byte[], byte[]> call = new io.grpc.ForwardingClientCall.SimpleForwardingClientCall<>(
                channel.newCall(method, CallOptions.DEFAULT.withDeadlineAfter(deadlineMillis,
                        TimeUnit.MILLISECONDS))) {
            @Override
            public void start(Listener<byte[]> listener, Metadata metadata) {
                metadata.merge(headers);
                super.start(listener, metadata);
            }
        };
        ClientCalls.asyncUnaryCall(call, request, new StreamObserver<>() {
            @Override
            public void onNext(byte[] value) {
                try {
                    answer.complete(reader.apply(value));
                } catch (RuntimeException e) {
                    answer.completeExceptionally(RpcException.of(e));
                }
            }

            @Override
            public void onError(Throwable error) {
                answer.completeExceptionally(failure(method, error));
            }

            @Override
            public void onCompleted() {
                if (!answer.isDone()) {
                    answer.completeExceptionally(new RpcException(RpcException.Kind.FAILED,
                            method.getBareMethodName() + " answered nothing"));
                }
            }
        });
        return answer;
    }

    /** UNAVAILABLE and RESOURCE_EXHAUSTED are retried by the controller, as anycable-go retries them. */
    private static RpcException failure(MethodDescriptor<?, ?> method, Throwable error) {
        if (!(error instanceof StatusRuntimeException status)) {
            return RpcException.of(error);
        }
        RpcException.Kind kind = switch (status.getStatus().getCode()) {
            case UNAVAILABLE -> RpcException.Kind.UNAVAILABLE;
            case RESOURCE_EXHAUSTED -> RpcException.Kind.EXHAUSTED;
            case DEADLINE_EXCEEDED -> RpcException.Kind.TIMEOUT;
            default -> RpcException.Kind.FAILED;
        };
        return new RpcException(kind, method.getBareMethodName() + ": " + status.getStatus(), error);
    }
}
