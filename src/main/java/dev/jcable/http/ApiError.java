package dev.jcable.http;

import dev.jcable.protocol.JsonText;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;

/** Every HTTP error is {@code {"error":"<code>","message":"<for humans>"}} with a matching status. */
public final class ApiError {

    private ApiError() {
    }

    public static String body(String code, String message) {
        return "{\"error\":" + JsonText.quote(code) + ",\"message\":" + JsonText.quote(message) + "}";
    }

    public static Response response(int status, String code, String message) {
        Response.ResponseBuilder builder = Response.status(status)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(body(code, message));
        if (status == 401) {
            builder.header("WWW-Authenticate", "Bearer");
        }
        return builder.build();
    }

    /** The same answer from a servlet. */
    public static void write(HttpServletResponse response, int status, String code, String message)
            throws IOException {
        response.setStatus(status);
        if (status == 401) {
            response.setHeader("WWW-Authenticate", "Bearer");
        }
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.getWriter().write(body(code, message));
    }

    public static WebApplicationException of(int status, String code, String message) {
        return new WebApplicationException(response(status, code, message));
    }
}
