package dev.jcable.it.app;

import dev.jcable.api.Broadcaster;
import dev.jcable.api.CableChannel;
import dev.jcable.api.ChannelContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObject;

/**
 * The channel the integration tests deploy with the WAR: room {@code closed} rejects, room {@code broken} throws;
 * {@code member: true} joins presence from the server as the connection's {@code user}.
 */
@ApplicationScoped
@CableChannel("TestChannel")
public class TestChannel {

    @Inject
    Broadcaster cable;

    @Inject
    RequestStamp stamp;

    public void subscribed(ChannelContext channel) {
        String room = channel.params().getString("room", "");
        if (room.equals("closed")) {
            channel.reject();
            return;
        }
        if (room.equals("broken")) {
            throw new IllegalStateException("room broken cannot be subscribed (thrown on purpose by the test)");
        }
        channel.streamFor(room);
        channel.transmit(Json.createObjectBuilder().add("hello", channel.identifiers()).build().toString());
        if (channel.params().getBoolean("member", false)) {
            channel.joinPresence(channel.identifiers().getString("user"),
                    Json.createObjectBuilder().add("name", channel.identifiers().getString("user")).build().toString());
        }
    }

    public void speak(ChannelContext channel, JsonObject data) {
        cable.broadcastTo(TestChannel.class, channel.params().getString("room"), Json.createObjectBuilder()
                .add("name", channel.identifiers().getString("user")).add("text", data.getString("text"))
                .build().toString());
    }

    /** Answers with a request-scoped bean's stamp: proves each call runs in a request context. */
    public void stamp(ChannelContext channel, JsonObject data) {
        channel.transmit(Json.createObjectBuilder().add("stamp", stamp.value()).build().toString());
    }

    public void fail(ChannelContext channel, JsonObject data) {
        throw new IllegalArgumentException("action fail throws (on purpose, for the test)");
    }

    public void unsubscribed(ChannelContext channel) {
        cable.broadcastTo(TestChannel.class, channel.params().getString("room"),
                Json.createObjectBuilder().add("gone", channel.identifiers().getString("user")).build().toString());
    }
}
