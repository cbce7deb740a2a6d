package dev.jcable.it;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@link WsClient}'s transport on a bare {@link Socket}, the HTTP upgrade done by hand: for what a real client
 * library will not do. It reads only when asked (so not reading stops at the TCP level: the kernel's receive buffer
 * fills and the server's writes stall), never answers a ping, sends frames a library would refuse to, and sees a
 * refused handshake's status and body. Tests use it through {@link WsClient#raw}.
 */
final class RawSocket implements AutoCloseable {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    final int status;
    final Map<String, String> headers;
    final String body;

    private RawSocket(Socket socket, int status, Map<String, String> headers, String body) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.status = status;
        this.headers = headers;
        this.body = body;
    }

    /**
     * Opens a TCP connection and asks for {@code /cable}; returns whatever the server answered (101 or not).
     *
     * @param receiveBuffer the socket's receive buffer in bytes (small, so that not reading stalls the server
     *                      soon), or 0 for the system's
     */
    static RawSocket handshake(URI http, String protocol, Map<String, String> extraHeaders, int receiveBuffer) {
        try {
            Socket socket = new Socket();
            if (receiveBuffer > 0) {
                socket.setReceiveBufferSize(receiveBuffer); // before connecting: it sets the advertised window
            }
            socket.connect(new InetSocketAddress("localhost", http.getPort()), 5_000);
            socket.setSoTimeout(10_000);
            byte[] nonce = new byte[16];
            RANDOM.nextBytes(nonce);
            String key = Base64.getEncoder().encodeToString(nonce);
            StringBuilder request = new StringBuilder("GET /cable HTTP/1.1\r\n")
                    .append("Host: localhost:").append(http.getPort()).append("\r\n")
                    .append("Upgrade: websocket\r\nConnection: Upgrade\r\n")
                    .append("Sec-WebSocket-Key: ").append(key).append("\r\n")
                    .append("Sec-WebSocket-Version: 13\r\n");
            if (protocol != null) {
                request.append("Sec-WebSocket-Protocol: ").append(protocol).append("\r\n");
            }
            extraHeaders.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
            socket.getOutputStream().write(request.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            String head = readHead(in);
            String[] lines = head.split("\r\n");
            int status = Integer.parseInt(lines[0].split(" ")[1]);
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) {
                    headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                            lines[i].substring(colon + 1).trim());
                }
            }
            String body = "";
            if (status != 101 && headers.containsKey("content-length")) {
                body = new String(in.readNBytes(Integer.parseInt(headers.get("content-length"))),
                        StandardCharsets.UTF_8);
            }
            return new RawSocket(socket, status, headers, body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed during the handshake: " + head);
            }
            head.write(b);
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    /** Writes one frame, masked as a client must. */
    void send(int opcode, byte[] payload, boolean fin) {
        try {
            out.write(dev.jcable.testsupport.ClientFrames.frame(opcode, payload, fin));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** No frame began within the time given to {@link #read}. */
    static final class TimedOut extends RuntimeException {
        TimedOut() {
            super(null, null, false, false);
        }
    }

    /**
     * The next frame, waiting at most {@code timeoutMillis} for it to begin ({@link TimedOut} otherwise); null once
     * the server closed the TCP connection.
     */
    WsClient.Frame read(long timeoutMillis) {
        try {
            socket.setSoTimeout((int) Math.max(1, timeoutMillis));
            int first = in.read();
            if (first < 0) {
                return null;
            }
            int second = readByte();
            long length = second & 0x7F;
            if (length == 126) {
                length = (readByte() << 8) | readByte();
            } else if (length == 127) {
                length = 0;
                for (int i = 0; i < 8; i++) {
                    length = (length << 8) | readByte();
                }
            }
            return new WsClient.Frame(first & 0x0F, in.readNBytes((int) length));
        } catch (SocketTimeoutException e) {
            throw new TimedOut();
        } catch (IOException e) {
            return null; // reset by the server: as closed as it gets
        }
    }

    private int readByte() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException();
        }
        return b;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
