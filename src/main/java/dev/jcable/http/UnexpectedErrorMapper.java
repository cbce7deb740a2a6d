package dev.jcable.http;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A failure nobody expected still gets the JSON error body, 500, and the stack trace goes to the log instead of to
 * the caller. (HTTP errors the resources choose are {@code WebApplicationException}s: {@link ErrorMapper}.)
 */
@Provider
public class UnexpectedErrorMapper implements ExceptionMapper<RuntimeException> {

    private static final Logger LOG = Logger.getLogger(UnexpectedErrorMapper.class.getName());

    @Override
    public Response toResponse(RuntimeException e) {
        LOG.log(Level.WARNING, "jcable: an HTTP request failed", e);
        return ApiError.response(500, "internal_error", "the request failed on the server; its log has the cause");
    }
}
