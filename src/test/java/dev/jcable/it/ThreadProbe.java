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
 * Deployed beside jcable in its own WAR ({@link RedeployIT}, {@link RedisLifecycleIT}): lists every live thread of the
 * server that jcable's deployment may have left behind, one per line with its frames: a thread with jcable code on its
 * stack, one named by jcable's thread factory ({@code jcable-…}, the Redis client's event loops, timer and reader), or
 * one running the Redis client library or what it brings (Lettuce, Netty, Reactor: none of the three servers runs
 * them for itself). After an undeploy the list must be empty.
 */
@WebServlet("/threads")
public class ThreadProbe extends HttpServlet {

    private static final String[] PACKAGES = {"dev.jcable.", "io.lettuce.", "io.netty.", "reactor."};

    /** The probe's WAR, for a test's {@code @Deployment(name = …, managed = false)}. */
    static WebArchive war() {
        return ShrinkWrap.create(WebArchive.class, "probe.war").addClass(ThreadProbe.class);
    }

    /**
     * Deploys the probe (the unmanaged deployment {@code name}) on the server at {@code server}, asserts that no
     * thread of jcable's is left, and undeploys it. Skipped on Payara Micro, which runs each deployment in a JVM of
     * its own.
     */
    static void assertNoThreadLeft(Deployer deployer, String name, URI server) throws Exception {
        assumeFalse("payara-micro".equals(System.getProperty("arquillian.launch")),
                "Payara Micro runs each deployment in a JVM of its own");
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

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("text/plain");
        PrintWriter out = response.getWriter();
        for (Map.Entry<Thread, StackTraceElement[]> thread : Thread.getAllStackTraces().entrySet()) {
            boolean left = thread.getKey().getName().startsWith("jcable-") || Arrays.stream(thread.getValue())
                    .anyMatch(frame -> !frame.getClassName().startsWith(ThreadProbe.class.getName())
                            && Arrays.stream(PACKAGES).anyMatch(frame.getClassName()::startsWith));
            if (left) {
                out.println(thread.getKey().getName() + " " + Arrays.toString(thread.getValue()));
            }
        }
    }
}
