package dev.jcable.endpoint;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Shows the handshake's remote address to {@link HandshakeCapture}: Jakarta WebSocket's {@code HandshakeRequest} has
 * no remote address, but the servlet request it is made from does, and the container runs the upgrade (and with it
 * {@code modifyHandshake}) inside this filter's chain, on this thread. AnyCable RPC passes it to the application as
 * {@code REMOTE_ADDR}, as anycable-go does.
 */
@WebFilter(urlPatterns = {"/cable", "/app/*"}, asyncSupported = true)
public class RemoteAddressFilter extends HttpFilter {

    private static final ThreadLocal<String> CURRENT = new ThreadLocal<>();

    /** The remote address of the handshake this thread is running, or null outside one. */
    static String current() {
        return CURRENT.get();
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        CURRENT.set(request.getRemoteAddr());
        try {
            chain.doFilter(request, response);
        } finally {
            CURRENT.remove();
        }
    }
}
