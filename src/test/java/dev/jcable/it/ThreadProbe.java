package dev.jcable.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.Arrays;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/**
 * Deployed beside jcable in its own WAR ({@link RedeployIT}, {@link RedisLifecycleIT}, {@link FailedDeployIT},
 * {@link PayaraRedeployIT}): lists every live thread of the server that jcable's deployment may have left behind, one
 * per line with its frames: a thread with jcable code on its stack, one named by jcable's thread factory
 * ({@code jcable-…}, the Redis client's event loops, timer and reader), or one running the Redis client library or
 * what it brings (Lettuce, Netty, Reactor: none of the three servers runs them for itself). After an undeploy, or a
 * deployment that failed, the list must be empty. The servlet is {@link Servlet}, a class of its own that names no
 * test library: Payara's annotation scanning skips a servlet class whose methods name a type the WAR does not hold
 * (this class's ShrinkWrap and Arquillian ones).
 */
public final class ThreadProbe {

    /** The probe's WAR, for a test's {@code @Deployment(name = …, managed = false)}. */
    static WebArchive war() {
        return ShrinkWrap.create(WebArchive.class, "probe.war").addClass(Servlet.class);
    }

    /**
     * Deploys the probe (the unmanaged deployment {@code name}) on the server at {@code server}, asserts that no
     * thread of jcable's is left, and undeploys it. Skipped on Payara Micro, where Arquillian's adapter runs each
     * deployment in a JVM of its own: {@link PayaraRedeployIT} proves it there.
     */
    static void assertNoThreadLeft(Deployer deployer, String name, URI server) throws Exception {
        assumeFalse("payara-micro".equals(System.getProperty("arquillian.launch")),
                "Payara Micro's adapter runs each deployment in a JVM of its own (PayaraRedeployIT covers Payara)");
        deployer.deploy(name);
        try {
            var threads = HttpClient.newHttpClient().send(HttpRequest.newBuilder(server.resolve("/probe/threads"))
                    .build(), BodyHandlers.ofString());
            assertEquals(200, threads.statusCode());
            assertEquals("", threads.body());
        } finally {
            deployer.undeploy(name);
        }
    }

    private ThreadProbe() {
    }

    /** The probe itself: {@code GET /probe/threads}. */
    @WebServlet("/threads")
    public static class Servlet extends HttpServlet {

        private static final String[] PACKAGES = {"dev.jcable.", "io.lettuce.", "io.netty.", "reactor."};

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            response.setContentType("text/plain");
            PrintWriter out = response.getWriter();
            for (Map.Entry<Thread, StackTraceElement[]> thread : Thread.getAllStackTraces().entrySet()) {
                boolean left = thread.getKey().getName().startsWith("jcable-") || Arrays.stream(thread.getValue())
                        .anyMatch(frame -> !frame.getClassName().startsWith(Servlet.class.getName())
                                && Arrays.stream(PACKAGES).anyMatch(frame.getClassName()::startsWith));
                if (left) {
                    out.println(thread.getKey().getName() + " " + Arrays.toString(thread.getValue()));
                }
            }
        }
    }
}
