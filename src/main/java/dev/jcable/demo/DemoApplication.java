package dev.jcable.demo;

import dev.jcable.api.ErrorMapper;
import dev.jcable.api.UnexpectedErrorMapper;
import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import java.util.Set;

/**
 * {@code /demo-api}: the endpoints of the demo page at {@code /}. Served only with the {@code demo} option on
 * ({@link DemoGate} answers 404 otherwise).
 */
@ApplicationPath("/demo-api")
public class DemoApplication extends Application {

    @Override
    public Set<Class<?>> getClasses() {
        return Set.of(RoomResource.class, ErrorMapper.class, UnexpectedErrorMapper.class);
    }
}
