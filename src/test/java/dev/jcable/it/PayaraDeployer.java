package dev.jcable.it;

import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.File;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.util.Collection;

/**
 * Deployed in {@link ThreadProbe}'s WAR on a Payara Micro of the test's own ({@link PayaraRedeployIT}): deploys and
 * undeploys applications in that running JVM through Payara Micro's runtime API ({@code PayaraMicro.getInstance()
 * .getRuntime()}, whose {@code deploy} and {@code undeploy} run the server's deploy and undeploy commands: what
 * {@code asadmin} runs on Payara Server). Payara Micro has no other way in from outside once it runs: it reads
 * {@code --deploydir} once at boot, and {@code --hotdeploy} only marks deployments for an IDE's reload.
 *
 * <p>{@code POST ?undeploy=name}, {@code POST ?deploy=/path/to.war&name=name} (context root {@code /name}); both
 * answer the names of the applications deployed afterwards, one a line. Payara's {@code deploy} answers
 * {@code true} even for an application that failed to start (it only logs why): a failed one is not among them.
 * Reflection: the API is the server's own (the class path the JVM started with, which an application sees), not
 * something the test compiles against.
 */
@WebServlet("/deployer")
public class PayaraDeployer extends HttpServlet {

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        try {
            Class<?> micro = Class.forName("fish.payara.micro.PayaraMicro");
            Class<?> api = Class.forName("fish.payara.micro.PayaraMicroRuntime");
            Object runtime = micro.getMethod("getRuntime").invoke(micro.getMethod("getInstance").invoke(null));
            String undeploy = request.getParameter("undeploy");
            String deploy = request.getParameter("deploy");
            if (undeploy != null) {
                api.getMethod("undeploy", String.class).invoke(runtime, undeploy);
            } else if (deploy != null) {
                String name = request.getParameter("name");
                api.getMethod("deploy", String.class, String.class, File.class)
                        .invoke(runtime, name, "/" + name, new File(deploy));
            } else {
                response.sendError(400, "?undeploy=name or ?deploy=/path/to.war&name=name");
                return;
            }
            response.setContentType("text/plain");
            for (Object deployed : (Collection<?>) api.getMethod("getDeployedApplicationNames").invoke(runtime)) {
                response.getWriter().println(deployed);
            }
        } catch (ReflectiveOperationException e) {
            Throwable cause = e instanceof InvocationTargetException target ? target.getCause() : e;
            response.sendError(500, String.valueOf(cause));
        }
    }
}
