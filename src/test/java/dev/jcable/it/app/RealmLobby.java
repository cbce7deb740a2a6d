package dev.jcable.it.app;

import dev.jcable.api.CableChannel;
import dev.jcable.api.ChannelContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.json.Json;

/** A channel without roles beside {@link RealmChannel} (RealmIT): shows any connection its identifiers. */
@ApplicationScoped
@CableChannel("RealmLobby")
public class RealmLobby {

    public void subscribed(ChannelContext channel) {
        channel.transmit(Json.createObjectBuilder().add("hello", channel.identifiers()).build().toString());
    }
}
