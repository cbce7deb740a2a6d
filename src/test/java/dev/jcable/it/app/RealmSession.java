package dev.jcable.it.app;

import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * An application page behind the same login as {@code /cable} (RealmIT): it puts {@code cart} into the user's HTTP
 * session, which a later handshake carrying the session's cookie shows to the {@code ConnectionIdentifier}.
 */
@WebServlet("/realm-session")
public class RealmSession extends HttpServlet {

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        request.getSession(true).setAttribute("cart", request.getParameter("cart"));
        response.setContentType("application/json");
        response.getWriter().write("{\"user\":\"" + request.getUserPrincipal().getName() + "\"}");
    }
}
