package dev.jcable.it;

import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Map;

/**
 * Deployed beside jcable in its own WAR ({@link RedeployIT}, {@link RedisRedeployIT}): lists every live thread of the
 * server that jcable's deployment may have left behind, one per line with its frames: a thread with jcable code on its
 * stack, one named by jcable's thread factory ({@code jcable-…}, the Redis client's event loops, timer and reader), or
 * one running the Redis client library or what it brings (Lettuce, Netty, Reactor: none of the three servers runs
 * them for itself). After an undeploy the list must be empty.
 */
@WebServlet("/threads")
public class ThreadProbe extends HttpServlet {

    private static final String[] PACKAGES = {"dev.jcable.", "io.lettuce.", "io.netty.", "reactor."};

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
