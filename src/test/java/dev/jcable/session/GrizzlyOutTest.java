package dev.jcable.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.FilterChainBuilder;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;
import org.glassfish.grizzly.filterchain.TransportFilter;
import org.glassfish.grizzly.nio.transport.TCPNIOServerConnection;
import org.glassfish.grizzly.nio.transport.TCPNIOTransport;
import org.glassfish.grizzly.nio.transport.TCPNIOTransportBuilder;
import org.glassfish.grizzly.ssl.SSLEngineConfigurator;
import org.glassfish.grizzly.ssl.SSLFilter;
import org.glassfish.tyrus.spi.CompletionHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link GrizzlyOut} on a real Grizzly transport (the version Payara 6 ships): bytes arrive as written, TLS connections
 * are left alone (told by their SSL engine after a real handshake, not by filter names), and a write completes only once its bytes are in the socket, which is what bounds a stalled client.
 */
class GrizzlyOutTest {

    private final BlockingQueue<Connection<?>> accepted = new LinkedBlockingQueue<>();
    private TCPNIOTransport transport;

    @AfterEach
    void stop() throws IOException {
        if (transport != null) {
            transport.shutdownNow();
        }
    }

    /** A Grizzly server with {@code extra} in its chain; answers its port. */
    private int server(BaseFilter... extra) throws IOException {
        FilterChainBuilder chain = FilterChainBuilder.stateless().add(new TransportFilter());
        for (BaseFilter filter : extra) {
            chain.add(filter);
        }
        chain.add(new BaseFilter() {
            @Override
            public NextAction handleAccept(FilterChainContext ctx) {
                accepted.add(ctx.getConnection());
                return ctx.getStopAction();
            }
        });
        transport = TCPNIOTransportBuilder.newInstance().build();
        transport.setProcessor(chain.build());
        TCPNIOServerConnection bound = transport.bind("127.0.0.1", 0);
        transport.start();
        return ((InetSocketAddress) bound.getLocalAddress()).getPort();
    }

    private static CompletionHandler<ByteBuffer> into(CompletableFuture<ByteBuffer> done) {
        return new CompletionHandler<>() {
            @Override
            public void completed(ByteBuffer result) {
                done.complete(result);
            }

            @Override
            public void failed(Throwable throwable) {
                done.completeExceptionally(throwable);
            }
        };
    }

    @Test
    void bytesArriveAsWrittenAndTheWriteCompletes() throws Exception {
        int port = server();
        try (Socket client = new Socket("127.0.0.1", port)) {
            Connection<?> connection = accepted.poll(10, TimeUnit.SECONDS);
            GrizzlyOut out = GrizzlyOut.on(connection);
            assertNotNull(out);
            byte[] frame = {(byte) 0x81, 2, 'h', 'i'};
            CompletableFuture<ByteBuffer> done = new CompletableFuture<>();
            out.write(ByteBuffer.wrap(frame), into(done));
            done.get(10, TimeUnit.SECONDS);
            assertArrayEquals(frame, client.getInputStream().readNBytes(frame.length));
            assertArrayEquals(new byte[] {(byte) 0x81, 2, 'h', 'i'}, frame); // shared bytes are left as they were
        }
    }

    /** A TLS connection keeps its filters, whatever the filters are called. */
    @Test
    void aTlsConnectionKeepsItsFilters(@TempDir Path dir) throws Exception {
        SSLContext tls = selfSigned(dir);
        int port = server(new SSLFilter(new SSLEngineConfigurator(tls, false, false, false), null), readCapture());
        assertNull(GrizzlyOut.on(tlsClientSays(port)));
    }

    /**
     * A port-unification chain: the TLS filter sits behind one that does not say so in its name (Payara's unification
     * filter picks a sub-chain per connection). The connection's SSL engine still tells; a check of the filters'
     * names wrote plaintext frames to this TLS socket.
     */
    @Test
    void aTlsConnectionBehindAFilterThatHidesItKeepsItsFilters(@TempDir Path dir) throws Exception {
        SSLContext tls = selfSigned(dir);
        int port = server(new Unifier(new SSLFilter(new SSLEngineConfigurator(tls, false, false, false), null)),
                readCapture());
        Connection<?> c = tlsClientSays(port);
        System.out.println("DEBUG proc=" + c.getProcessor() + " tproc=" + c.getTransport().getProcessor());
        if (c.getProcessor() instanceof org.glassfish.grizzly.filterchain.FilterChain fc) { for (Object f : fc) System.out.println("DEBUG f=" + f.getClass()); }
        assertNull(GrizzlyOut.on(c));
    }

    /** A plain connection on a chain that can do TLS (a listener that takes both) takes the write queue. */
    @Test
    void aPlainConnectionOnAChainThatCanDoTlsTakesTheWriteQueue() throws Exception {
        int port = server(new SSLFilter(new SSLEngineConfigurator(SSLContext.getDefault(), false, false, false),
                null));
        try (Socket client = new Socket("127.0.0.1", port)) {
            assertNotNull(GrizzlyOut.on(accepted.poll(10, TimeUnit.SECONDS)));
        }
    }

    private final BlockingQueue<Connection<?>> read = new LinkedBlockingQueue<>();

    /** A filter that, after the TLS filter, hands over the connection on its first decrypted read. */
    private BaseFilter readCapture() {
        return new BaseFilter() {
            @Override
            public NextAction handleRead(FilterChainContext ctx) {
                read.add(ctx.getConnection());
                return ctx.getStopAction();
            }
        };
    }

    /** Handshakes with the server as a TLS client, sends a byte, answers the server's side once it read it. */
    private Connection<?> tlsClientSays(int port) throws Exception {
        SSLContext trustAll = SSLContext.getInstance("TLS");
        trustAll.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        clients.add(trustAll.getSocketFactory().createSocket("127.0.0.1", port));
        SSLSocket client = (SSLSocket) clients.get(clients.size() - 1);
        client.startHandshake();
        client.getOutputStream().write('x');
        client.getOutputStream().flush();
        Connection<?> connection = read.poll(10, TimeUnit.SECONDS);
        assertNotNull(connection, "the server read the client's byte through TLS");
        return connection;
    }

    private final java.util.List<Socket> clients = new java.util.ArrayList<>();

    @AfterEach
    void closeClients() throws IOException {
        for (Socket client : clients) {
            client.close();
        }
    }

    /** A server context on a fresh self-signed key (the JDK's keytool: no library for a test certificate). */
    private static SSLContext selfSigned(Path dir) throws Exception {
        Path store = dir.resolve("server.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "changeit",
                "-keypass", "changeit").redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, keytool.waitFor(), output);
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = java.nio.file.Files.newInputStream(store)) {
            keys.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(keys, "changeit".toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(factory.getKeyManagers(), null, null);
        return context;
    }

    /** Stands for a port-unification filter: the TLS work is done by a filter it holds, under another name. */
    private static final class Unifier extends BaseFilter {
        private final SSLFilter inner;

        Unifier(SSLFilter inner) {
            this.inner = inner;
            // the TLS filter belongs to a sub-chain of its own, as behind a port-unification filter
            FilterChainBuilder.stateless().add(new TransportFilter()).add(inner).build();
        }

        @Override
        public NextAction handleRead(FilterChainContext ctx) throws IOException {
            return inner.handleRead(ctx);
        }

        @Override
        public NextAction handleWrite(FilterChainContext ctx) throws IOException {
            return inner.handleWrite(ctx);
        }

        @Override
        public NextAction handleEvent(FilterChainContext ctx, org.glassfish.grizzly.filterchain.FilterChainEvent event)
                throws IOException {
            return inner.handleEvent(ctx, event);
        }

        @Override
        public NextAction handleClose(FilterChainContext ctx) throws IOException {
            return inner.handleClose(ctx);
        }
    }

    @Test
    void aWriteToAClientThatStoppedReadingStaysPendingUntilItReads() throws Exception {
        int port = server();
        try (Socket client = new Socket()) {
            client.setReceiveBufferSize(4096);
            client.connect(new InetSocketAddress("127.0.0.1", port));
            GrizzlyOut out = GrizzlyOut.on(accepted.poll(10, TimeUnit.SECONDS));
            byte[] chunk = new byte[64 * 1024];
            long written = 0;
            CompletableFuture<ByteBuffer> done;
            // one write at a time, the next once the previous completed, as the outbox does: the kernel's buffers
            // take a few MB (tcp_wmem's maximum is 4 MB here), then a write stays pending
            while (true) {
                done = new CompletableFuture<>();
                out.write(ByteBuffer.wrap(chunk), into(done));
                try {
                    done.get(2, TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException pending) {
                    break;
                }
                written += chunk.length;
                assertTrue(written < 64L * 1024 * 1024, "every write completed: nothing holds a stalled client back");
            }
            // the client reads again: what was queued arrives, and the pending write completes
            InputStream in = client.getInputStream();
            long read = 0;
            byte[] buffer = new byte[64 * 1024];
            while (read < written + chunk.length) {
                int n = in.read(buffer);
                assertTrue(n > 0);
                read += n;
            }
            assertEquals(written + chunk.length, read);
            done.get(10, TimeUnit.SECONDS);
        }
    }
}
