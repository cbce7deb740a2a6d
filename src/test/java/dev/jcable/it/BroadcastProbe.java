package dev.jcable.it;

import dev.jcable.api.Broadcaster;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Application;
import java.util.Set;

/** Server-side code of "the same application", added to the WAR by the test: it broadcasts with the Java API. */
@RequestScoped
@Path("broadcast/{stream}")
public class BroadcastProbe {

    @Inject
    Broadcaster cable;

    @POST
    public void broadcast(@PathParam("stream") String stream, @QueryParam("exclude") String exclude, String data) {
        if (exclude == null) {
            cable.broadcast(stream, data);
        } else {
            cable.broadcast(stream, data, exclude);
        }
    }

    @ApplicationPath("/probe")
    public static class ProbeApplication extends Application {
        @Override
        public Set<Class<?>> getClasses() {
            return Set.of(BroadcastProbe.class);
        }
    }
}
