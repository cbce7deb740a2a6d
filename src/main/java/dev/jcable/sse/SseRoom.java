package dev.jcable.sse;

import dev.jcable.config.CableConfig;
import dev.jcable.identity.ContainerLogin;
import dev.jcable.identity.HandshakeHeaders;
import dev.jcable.node.Node;
import dev.jcable.protocol.Command;
import dev.jcable.session.CableSession;
import dev.jcable.session.SseTransport;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.security.Principal;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * Server-sent events as AnyCable's {@code /events} (docs/sse.md): a GET is a node session that sends nothing, whose
 * frames leave as events ({@link SseTransport}), identified as a WebSocket connection is (the same token, identifier
 * or RPC Connect, from the request's headers and query) and subscribed once from its query ({@link SseRequest}). It
 * shares the node's hub, broker, limits and shutdown with every other connection: not a second engine.
 */
@ApplicationScoped
public class SseRoom {

    private static final Logger LOG = Logger.getLogger(SseRoom.class.getName());

    @Inject
    Node node;

    @Inject
    CableConfig config;

    /** The event streams whose request is not completed yet: every one of them is completed at {@link #stop()}. */
    private final Set<SseTransport> streams = ConcurrentHashMap.newKeySet();
    /** Set by the first stream. Without one there is nobody to tell, and touching the node would create it. */
    private volatile boolean used;

    void announce(@Observes @Initialized(ApplicationScoped.class) Object event) {
        if (config.sse()) {
            LOG.info(() -> "jcable: server-sent events at " + config.ssePath());
        }
    }

    /** Why a request is refused before any session exists. */
    public record Refusal(int status, String code, String message) {
    }

    /**
     * Starts the event stream of {@code request} (asynchronous from here: the container's thread returns at once),
     * or returns why not.
     */
    public Refusal open(HttpServletRequest request, HttpServletResponse response) {
        if (!config.sse()) {
            return new Refusal(404, "not_found", "server-sent events are off (sse)");
        }
        if (!"GET".equals(request.getMethod())) {
            return new Refusal(405, "method_not_allowed", "server-sent events are a GET");
        }
        if (node.draining()) {
            return new Refusal(503, "draining", "the node is shutting down; try another");
        }
        Map<String, List<String>> query = new HashMap<>();
        request.getParameterMap().forEach((name, values) -> query.put(name, List.of(values)));
        Command subscribe = SseRequest.subscribe(query, request.getHeader("Last-Event-ID"));
        if (subscribe == null) {
            return new Refusal(400, "no_subscription", "one of stream, signed_stream, channel or identifier is needed");
        }
        if (subscribe.identifier().length() > config.maxIdentifierSize()) {
            return new Refusal(400, "identifier_too_large", "the identifier is larger than max_identifier_size ("
                    + config.maxIdentifierSize() + ")");
        }
        HandshakeHeaders.Taken taken = new HandshakeHeaders.Taken(headers(request), login(request),
                request.getRemoteAddr());
        String url = request.getRequestURL() + (request.getQueryString() == null ? "" : "?" + request.getQueryString());
        used = true;
        AsyncContext async = request.startAsync();
        async.setTimeout(0); // the stream lasts until either side ends it; dead clients fail their writes
        SseTransport transport = new SseTransport(async, response);
        CableSession session = node.sseSession(transport, query);
        streams.add(transport);
        async.addListener(new Ended(session, transport));
        node.openSse(session, taken, url, subscribe);
        return null;
    }

    /**
     * At undeploy, while the servlet is taken down: every stream is told {@code server_restart} (the node's shutdown,
     * which waits up to 2 s for the goodbyes to be written), then every request still not completed is completed
     * now, whatever became of its session (a goodbye stuck behind a client that reads nothing, a client gone). A
     * request left open stays in flight in the container after the application is gone: Open Liberty's server stop
     * then waits its whole quiesce (30 s) for it.
     */
    public void stop() {
        if (!used) {
            return;
        }
        node.shutdown(); // runs once; a no-op when the drain filter or a listener stopped the node already
        List<SseTransport> open = List.copyOf(streams);
        open.forEach(SseTransport::close);
        if (!open.isEmpty()) {
            LOG.info(() -> "jcable: completed " + open.size() + " event stream(s) still open at undeploy");
        }
    }

    /** Event streams whose request is not completed yet (for tests). */
    int open() {
        return streams.size();
    }

    /** The request's headers, names in lower case, as a WebSocket handshake's are read. */
    private static Map<String, List<String>> headers(HttpServletRequest request) {
        Map<String, List<String>> headers = new HashMap<>();
        for (String name : Collections.list(request.getHeaderNames())) {
            headers.put(name.toLowerCase(Locale.ROOT), Collections.list(request.getHeaders(name)));
        }
        return headers;
    }

    /** The container's login, as a WebSocket handshake shows it: the principal, the roles the application names. */
    private ContainerLogin login(HttpServletRequest request) {
        Principal principal = request.getUserPrincipal();
        if (principal == null) {
            return ContainerLogin.NONE;
        }
        Set<String> roles = new HashSet<>();
        for (String role : node.knownRoles()) {
            if (request.isUserInRole(role)) {
                roles.add(role);
            }
        }
        Map<String, Object> attributes = new HashMap<>();
        HttpSession http = request.getSession(false);
        if (http != null) {
            for (String name : Collections.list(http.getAttributeNames())) {
                attributes.put(name, http.getAttribute(name));
            }
        }
        return new ContainerLogin(principal, roles, attributes);
    }

    /**
     * However the stream ends (the client left, a write failed, the server completed it), the session is cleaned up
     * and the stream forgotten. On a timeout or an error the request is completed too (forceClose): the container
     * holds it in flight until then.
     */
    private final class Ended implements AsyncListener {
        private final CableSession session;
        private final SseTransport transport;

        Ended(CableSession session, SseTransport transport) {
            this.session = session;
            this.transport = transport;
        }

        @Override
        public void onComplete(AsyncEvent event) {
            streams.remove(transport);
            node.closed(session);
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            session.forceClose();
            streams.remove(transport);
            node.closed(session);
        }

        @Override
        public void onError(AsyncEvent event) {
            session.forceClose();
            streams.remove(transport);
            node.closed(session);
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
        }
    }
}
