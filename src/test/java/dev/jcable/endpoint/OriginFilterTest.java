package dev.jcable.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.config.CableConfig;
import dev.jcable.config.ConfigLoader;
import dev.jcable.config.ConfigSource;
import dev.jcable.config.Option;
import dev.jcable.identity.AllowedOrigins;
import jakarta.servlet.FilterChain;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code allowed_origins}: AnyCable's matching, and the filter's 403 with a JSON body. */
class OriginFilterTest {

    private static final List<String> HOSTS = List.of("www.example.com", "*.example.io", "localhost:3000");

    @Test
    void hostsMatchExactlyWithTheirPort() {
        assertTrue(AllowedOrigins.allows(HOSTS, "https://www.example.com"));
        assertTrue(AllowedOrigins.allows(HOSTS, "HTTPS://WWW.EXAMPLE.COM"));
        assertTrue(AllowedOrigins.allows(HOSTS, "http://localhost:3000"));
        assertFalse(AllowedOrigins.allows(HOSTS, "http://localhost:3001"));
        assertFalse(AllowedOrigins.allows(HOSTS, "http://localhost"));
        assertFalse(AllowedOrigins.allows(HOSTS, "https://www.example.com:8443"));
        assertFalse(AllowedOrigins.allows(HOSTS, "https://example.com"));
        assertFalse(AllowedOrigins.allows(HOSTS, "https://www.example.com.evil.net"));
    }

    @Test
    void aStarEntryMatchesTheSuffix() {
        assertTrue(AllowedOrigins.allows(HOSTS, "https://app.example.io"));
        assertTrue(AllowedOrigins.allows(HOSTS, "https://a.b.example.io"));
        assertFalse(AllowedOrigins.allows(HOSTS, "https://example.io"));
        assertFalse(AllowedOrigins.allows(HOSTS, "https://evilexample.io"));
    }

    @Test
    void noListAllowsEverythingAndNoOriginIsNotABrowser() {
        assertTrue(AllowedOrigins.allows(List.of(), "https://anywhere.net"));
        assertTrue(AllowedOrigins.allows(HOSTS, null));
        assertFalse(AllowedOrigins.allows(HOSTS, "null"), "a sandboxed page or a file");
        assertFalse(AllowedOrigins.allows(HOSTS, "not a url"));
        assertFalse(AllowedOrigins.allows(HOSTS, ""));
    }

    private final List<String> calls = new ArrayList<>();
    private final StringWriter body = new StringWriter();

    private OriginFilter filter(String allowedOrigins) {
        OriginFilter filter = new OriginFilter();
        filter.config = new ConfigLoader(List.of(ConfigSource.of("test",
                Map.of(Option.SECRET, "s", Option.ALLOWED_ORIGINS, allowedOrigins)))).load();
        return filter;
    }

    private HttpServletRequest request(String origin) {
        return (HttpServletRequest) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (p, method, args) ->
                        method.getName().equals("getHeader") && "Origin".equals(args[0]) ? origin : null);
    }

    private HttpServletResponse response() {
        return (HttpServletResponse) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {HttpServletResponse.class}, (p, method, args) -> {
                    if (method.getName().equals("getWriter")) {
                        return new PrintWriter(body, true);
                    }
                    calls.add(method.getName() + (args == null ? "" : " " + args[0]));
                    return null;
                });
    }

    private final FilterChain chain = (req, res) -> calls.add("chain");

    @Test
    void aHandshakeFromAnotherOriginGets403WithAJsonBody() throws Exception {
        filter("www.example.com").doFilter(request("https://evil.net"), response(), chain);
        assertEquals(List.of("setStatus 403", "setContentType application/json", "setCharacterEncoding UTF-8"), calls);
        assertEquals("{\"error\":\"forbidden_origin\",\"message\":\"pages of origin https://evil.net may not connect"
                + " here (allowed_origins)\"}", body.toString());
    }

    @Test
    void anAllowedOriginAndTheDefaultPassThrough() throws Exception {
        filter("www.example.com").doFilter(request("https://www.example.com"), response(), chain);
        filter("*").doFilter(request("https://evil.net"), response(), chain);
        filter("www.example.com").doFilter(request(null), response(), chain);
        assertEquals(List.of("chain", "chain", "chain"), calls);
    }
}
