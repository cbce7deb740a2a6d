package dev.jcable.rpc;

/**
 * A call that got no answer. {@link #retryable()}: the backend is unavailable (connection refused, HTTP 502-504,
 * gRPC UNAVAILABLE) or exhausted (HTTP 429, gRPC RESOURCE_EXHAUSTED), which anycable-go retries with backoff.
 */
public final class RpcException extends RuntimeException {

    public enum Kind { UNAVAILABLE, EXHAUSTED, TIMEOUT, FAILED }

    private final Kind kind;

    public RpcException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public RpcException(Kind kind, String message) {
        this(kind, message, null);
    }

    public Kind kind() {
        return kind;
    }

    public boolean retryable() {
        return kind == Kind.UNAVAILABLE || kind == Kind.EXHAUSTED;
    }

    /** The failure inside {@code error} (a CompletionException's cause), as an RpcException. */
    public static RpcException of(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof java.util.concurrent.CompletionException
                || cause instanceof java.util.concurrent.ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof RpcException rpc) {
            return rpc;
        }
        if (cause instanceof java.util.concurrent.TimeoutException
                || cause instanceof java.net.http.HttpTimeoutException) {
            return new RpcException(Kind.TIMEOUT, "no answer in time", cause);
        }
        if (cause instanceof java.net.ConnectException) {
            return new RpcException(Kind.UNAVAILABLE, "connection refused", cause);
        }
        return new RpcException(Kind.FAILED, String.valueOf(cause), cause);
    }
}
