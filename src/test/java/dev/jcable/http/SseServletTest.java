package dev.jcable.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jcable.config.CableConfig;
import dev.jcable.config.ConfigLoader;
import dev.jcable.config.ConfigSource;
import dev.jcable.config.Option;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * CORS on {@code /events} (the room itself is SseConnectionTest's and SseIT's): anycable-go's headers, a listed
 * origin echoed with credentials, any other refused with 403 before a connection exists, preflights answered.
 */
class SseServletTest {

    private final Map<String, Object> answer = new TreeMap<>();
    private final StringWriter body = new StringWriter();

    private static CableConfig config(String allowedOrigins) {
        return new ConfigLoader(List.of(ConfigSource.of("test", Map.of(Option.SECRET, "s", Option.SSE, "true",
                Option.ALLOWED_ORIGINS, allowedOrigins)))).load();
    }

    private static HttpServletRequest request(String method, Map<String, String> headers) {
        return (HttpServletRequest) Proxy.newProxyInstance(SseServletTest.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (p, m, args) -> switch (m.getName()) {
                    case "getMethod" -> method;
                    case "getHeader" -> headers.get((String) args[0]);
                    default -> null;
                });
    }

    private HttpServletResponse response() {
        return (HttpServletResponse) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {HttpServletResponse.class}, (p, m, args) -> switch (m.getName()) {
                    case "getWriter" -> new PrintWriter(body, true);
                    case "setStatus" -> answer.put("status", args[0]);
                    case "setHeader" -> answer.put((String) args[0], args[1]);
                    case "setContentType" -> answer.put("Content-Type", args[0]);
                    default -> null;
                });
    }

    @Test
    void withoutAListEveryOriginMayReadWithoutCredentials() {
        SseServlet.cors(List.of(), "https://elsewhere.example", response());
        assertEquals(Map.of("Access-Control-Allow-Origin", "*"), answer);
    }

    @Test
    void aListedOriginIsEchoedWithCredentialsAndNoOriginGetsNoHeaders() {
        SseServlet.cors(List.of("app.example"), "https://app.example", response());
        assertEquals(Map.of("Access-Control-Allow-Origin", "https://app.example",
                "Access-Control-Allow-Credentials", "true", "Vary", "Origin"), answer);
        answer.clear();
        SseServlet.cors(List.of("app.example"), null, response());
        assertEquals(Map.of(), answer);
    }

    @Test
    void anOriginNotListedIsRefusedWith403AndAJsonBodyBeforeAnyConnection() throws Exception {
        new SseServlet(null, config("app.example")).service(request("GET", Map.of("Origin", "https://evil.example")),
                response()); // no room: it is never reached
        assertEquals(403, answer.get("status"));
        assertEquals(null, answer.get("Access-Control-Allow-Origin"), "the browser must not show the page anything");
        assertEquals("{\"error\":\"forbidden_origin\",\"message\":\"pages of origin https://evil.example may not read"
                + " events here (allowed_origins)\"}", body.toString());
    }

    @Test
    void aPreflightIsAnswered() throws Exception {
        new SseServlet(null, config("app.example")).service(request("OPTIONS", Map.of("Origin", "https://app.example",
                "Access-Control-Request-Headers", "x-jid")), response());
        assertEquals(Map.of("status", 204, "Access-Control-Allow-Origin", "https://app.example",
                "Access-Control-Allow-Credentials", "true", "Vary", "Origin",
                "Access-Control-Allow-Methods", "GET, OPTIONS", "Access-Control-Allow-Headers", "x-jid",
                "Access-Control-Max-Age", SseServlet.PREFLIGHT_MAX_AGE), answer);
    }
}
