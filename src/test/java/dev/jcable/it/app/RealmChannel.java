package dev.jcable.it.app;

import dev.jcable.api.CableChannel;
import dev.jcable.api.ChannelContext;
import jakarta.annotation.security.RolesAllowed;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.json.Json;
import jakarta.json.JsonObject;

/**
 * A channel behind the container's roles (RealmIT): {@code member} or {@code admin} may subscribe, only {@code admin}
 * may {@code purge}; {@code echo} needs the class's roles.
 */
@ApplicationScoped
@CableChannel("RealmChannel")
@RolesAllowed({"member", "admin"})
public class RealmChannel {

    public void subscribed(ChannelContext channel) {
        channel.transmit(Json.createObjectBuilder().add("hello", channel.identifiers()).build().toString());
    }

    @RolesAllowed("admin")
    public void purge(ChannelContext channel, JsonObject data) {
        channel.transmit("{\"purged\":true}");
    }

    public void echo(ChannelContext channel, JsonObject data) {
        channel.transmit(Json.createObjectBuilder().add("echo", data.getString("text", "")).build().toString());
    }
}
