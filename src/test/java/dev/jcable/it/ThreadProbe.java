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
 * Deployed beside jcable in its own WAR ({@link RedeployIT}): lists every live thread of the server that has jcable
 * code on its stack, one per line with the frames. After an undeploy the list must be empty: a thread jcable started
 * or left parked in its code would show here.
 */
@WebServlet("/threads")
public class ThreadProbe extends HttpServlet {

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("text/plain");
        PrintWriter out = response.getWriter();
        for (Map.Entry<Thread, StackTraceElement[]> thread : Thread.getAllStackTraces().entrySet()) {
            boolean jcable = Arrays.stream(thread.getValue())
                    .anyMatch(frame -> frame.getClassName().startsWith("dev.jcable.")
                            && !frame.getClassName().startsWith(ThreadProbe.class.getName()));
            if (jcable) {
                out.println(thread.getKey().getName() + " " + Arrays.toString(thread.getValue()));
            }
        }
    }
}
