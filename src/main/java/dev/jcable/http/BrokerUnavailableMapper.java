package dev.jcable.http;

import dev.jcable.broker.BrokerUnavailableException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The broker's store is unreachable (Redis down): 503 with a JSON error and {@code Retry-After}, so a broadcasting
 * application retries instead of believing its publication was delivered.
 */
@Provider
public class BrokerUnavailableMapper implements ExceptionMapper<BrokerUnavailableException> {

    private static final Logger LOG = Logger.getLogger(BrokerUnavailableMapper.class.getName());

    @Override
    public Response toResponse(BrokerUnavailableException e) {
        LOG.log(Level.FINE, "jcable: answered 503", e);
        Response unavailable = ApiError.response(503, "broker_unavailable", e.getMessage());
        return Response.fromResponse(unavailable).header("Retry-After", "1").build();
    }
}
