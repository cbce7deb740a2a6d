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
import javax.net.ssl.SSLContext;
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

/**
 * {@link GrizzlyOut} on a real Grizzly transport (the version Payara 6 ships): bytes arrive as written, TLS chains are
 * left alone, and a write completes only once its bytes are in the socket, which is what bounds a stalled client.
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

    @Test
    void aTlsChainKeepsItsFilters() throws Exception {
        int port = server(new SSLFilter(new SSLEngineConfigurator(SSLContext.getDefault(), false, false, false),
                null));
        try (Socket client = new Socket("127.0.0.1", port)) {
            assertNull(GrizzlyOut.on(accepted.poll(10, TimeUnit.SECONDS)));
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
