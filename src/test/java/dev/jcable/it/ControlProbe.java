package dev.jcable.it;

import dev.jcable.api.Connections;
import dev.jcable.api.Presence;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Application;
import java.util.Set;

/** Server-side code of "the same application", added to the WAR by the test: presence and control from Java. */
@RequestScoped
@Path("")
public class ControlProbe {

    @Inject
    Presence presence;

    @Inject
    Connections connections;

    @POST
    @Path("disconnect")
    public void disconnect(@QueryParam("reconnect") boolean reconnect, String identifiers) {
        connections.disconnect(identifiers, reconnect);
    }

    @GET
    @Path("count/{stream}")
    public String count(@PathParam("stream") String stream) {
        return Integer.toString(presence.count(stream));
    }

    @ApplicationPath("/control-probe")
    public static class ProbeApplication extends Application {
        @Override
        public Set<Class<?>> getClasses() {
            return Set.of(ControlProbe.class);
        }
    }
}
