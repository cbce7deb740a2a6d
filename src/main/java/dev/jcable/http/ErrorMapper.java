package dev.jcable.http;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** Gives the container's own errors (404, 405, 415, …) the same JSON body as ours. */
@Provider
public class ErrorMapper implements ExceptionMapper<WebApplicationException> {

    @Override
    public Response toResponse(WebApplicationException e) {
        Response original = e.getResponse();
        if (original.hasEntity() && MediaType.APPLICATION_JSON_TYPE.isCompatible(original.getMediaType())) {
            return original;
        }
        int status = original.getStatus();
        String code = switch (status) {
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 415 -> "unsupported_media_type";
            default -> "http_" + status;
        };
        return ApiError.response(status, code, original.getStatusInfo().getReasonPhrase());
    }
}
