/**
 * AnyCable RPC: the client side of AnyCable's {@code rpc.proto} (service {@code anycable.RPC}: Connect, Command,
 * Disconnect) over HTTP ({@link dev.jcable.rpc.HttpRpc}, the JDK's HttpClient) or gRPC
 * ({@link dev.jcable.rpc.GrpcRpc}, grpc-java on OkHttp), behind one controller ({@link dev.jcable.rpc.Rpc}) that caps the calls in flight,
 * retries an unavailable backend as anycable-go does, and rate-limits Disconnect calls. Nothing here knows sessions
 * or streams: the node applies the answers ({@code node.RpcChannels}).
 */
package dev.jcable.rpc;
