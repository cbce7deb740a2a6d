package dev.jcable.endpoint;

import dev.jcable.pusher.PusherRoom;
import jakarta.enterprise.inject.spi.CDI;
import jakarta.websocket.CloseReason;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import jakarta.websocket.server.PathParam;
import jakarta.websocket.server.ServerEndpoint;
import jakarta.websocket.server.ServerEndpointConfig;

/**
 * Pusher's WebSocket endpoint, {@code /app/{app_key}} (docs/pusher.md). It holds no state and no logic: everything
 * goes to the {@link PusherRoom}. One instance serves every connection ({@link Shared}).
 */
@ServerEndpoint(value = "/app/{app_key}", configurator = PusherEndpoint.Shared.class)
public class PusherEndpoint {

    private volatile PusherRoom room;

    /** For containers that check an annotated endpoint for a public no-argument constructor (Open Liberty). */
    public PusherEndpoint() {
    }

    private PusherRoom room() {
        PusherRoom found = room;
        if (found == null) {
            found = CDI.current().select(PusherRoom.class).get();
            room = found;
        }
        return found;
    }

    @OnOpen
    public void open(Session socket, @PathParam("app_key") String appKey) {
        room().open(socket, appKey);
    }

    @OnMessage
    public void message(Session socket, String part, boolean last) {
        room().receive(socket, part, last);
    }

    @OnMessage
    public void pong(Session socket, PongMessage pong) {
        room().pong(socket);
    }

    @OnClose
    public void close(Session socket, CloseReason reason) {
        room().close(socket);
    }

    @OnError
    public void error(Session socket, Throwable error) {
        room().error(socket, error);
    }

    /** Hands every connection the same endpoint, as {@link HandshakeCapture} does for {@code /cable}. */
    public static class Shared extends ServerEndpointConfig.Configurator {

        private volatile PusherEndpoint shared;

        @Override
        public <T> T getEndpointInstance(Class<T> type) throws InstantiationException {
            if (type != PusherEndpoint.class) {
                return super.getEndpointInstance(type);
            }
            PusherEndpoint endpoint = shared;
            if (endpoint == null) {
                endpoint = new PusherEndpoint(); // two racing first handshakes make two: harmless, stateless
                shared = endpoint;
            }
            return type.cast(endpoint);
        }
    }
}
