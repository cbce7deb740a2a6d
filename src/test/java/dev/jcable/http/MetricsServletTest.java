package dev.jcable.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.metrics.CableMetrics;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link MetricsServlet}: the Prometheus text with the right key (or none configured), 401 JSON otherwise. */
class MetricsServletTest {

    /** What the servlet wrote: status, headers (content type included), body. */
    static final class Answer {
        int status = 200;
        final Map<String, String> headers = new HashMap<>();
        final StringWriter body = new StringWriter();
    }

    private static Answer get(String key, String authorization) throws Exception {
        Answer answer = new Answer();
        HttpServletRequest request = (HttpServletRequest) Proxy.newProxyInstance(HttpServletRequest.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (p, method, args) ->
                        method.getName().equals("getHeader") && "Authorization".equals(args[0]) ? authorization : null);
        PrintWriter writer = new PrintWriter(answer.body);
        HttpServletResponse response = (HttpServletResponse) Proxy.newProxyInstance(
                HttpServletResponse.class.getClassLoader(), new Class<?>[] {HttpServletResponse.class},
                (p, method, args) -> switch (method.getName()) {
                    case "setStatus" -> {
                        answer.status = (int) args[0];
                        yield null;
                    }
                    case "setHeader" -> answer.headers.put((String) args[0], (String) args[1]);
                    case "setContentType" -> answer.headers.put("Content-Type", (String) args[0]);
                    case "getWriter" -> writer;
                    default -> null;
                });
        new MetricsServlet(key).doGet(request, response);
        writer.flush();
        return answer;
    }

    @Test
    void withTheKeyAScrapeGetsThePrometheusText() throws Exception {
        Answer answer = get("m3trics", "Bearer m3trics");
        assertEquals(200, answer.status);
        assertEquals(CableMetrics.CONTENT_TYPE, answer.headers.get("Content-Type"));
        assertTrue(answer.body.toString().contains("# TYPE anycable_go_client_msg_total counter\n"), answer.body.toString());
    }

    @Test
    void aWrongOrMissingKeyGets401AndAJsonBody() throws Exception {
        Answer wrong = get("m3trics", "Bearer guess");
        assertEquals(401, wrong.status);
        assertEquals("application/json", wrong.headers.get("Content-Type"));
        assertEquals("Bearer", wrong.headers.get("WWW-Authenticate"));
        assertEquals("{\"error\":\"unauthorized\",\"message\":\"wrong key in the Authorization header\"}",
                wrong.body.toString());
        Answer missing = get("m3trics", null);
        assertEquals(401, missing.status);
        assertEquals("{\"error\":\"unauthorized\",\"message\":\"missing Authorization: Bearer <key> header\"}",
                missing.body.toString());
    }

    @Test
    void withoutAConfiguredKeyAnyScrapeIsServed() throws Exception {
        assertEquals(200, get(null, null).status);
        assertEquals(200, get(null, "Bearer whatever").status);
    }
}
