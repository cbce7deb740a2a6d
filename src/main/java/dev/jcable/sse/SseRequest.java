package dev.jcable.sse;

import dev.jcable.protocol.Command;
import dev.jcable.protocol.JsonText;
import dev.jcable.session.SseFrames;
import dev.jcable.streams.StreamResolver;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.util.List;
import java.util.Map;

/**
 * What a GET of the events path asks for, as AnyCable's {@code /events} reads its query: one subscription, from
 * {@code identifier} (a channel identifier, JSON), {@code channel} (a channel's name), {@code signed_stream} or
 * {@code stream} (jcable's {@code $pubsub} streams); its history from {@code Last-Event-ID} (the id of the last event
 * the client saw, {@code <offset>/<stream>/<epoch>}), else from {@code history_since} (Unix seconds).
 */
public final class SseRequest {

    private SseRequest() {
    }

    /** The {@code subscribe} command the query stands for, or null when it names no subscription. */
    public static Command subscribe(Map<String, List<String>> query, String lastEventId) {
        String identifier = first(query, "identifier");
        if (identifier == null) {
            String channel = first(query, "channel");
            String signed = first(query, "signed_stream");
            String stream = first(query, "stream");
            if (channel != null) {
                identifier = "{\"channel\":" + JsonText.quote(channel) + "}";
            } else if (signed != null) {
                identifier = pubsub("signed_stream_name", signed);
            } else if (stream != null) {
                identifier = pubsub("stream_name", stream);
            } else {
                return null;
            }
        }
        return new Command("subscribe", identifier, null, null, history(query, lastEventId));
    }

    /** The subscribe's {@code history}: from where the last event left off, or since a time; null for none. */
    static JsonObject history(Map<String, List<String>> query, String lastEventId) {
        SseFrames.Position position = SseFrames.position(lastEventId);
        if (position != null) {
            return Json.createObjectBuilder().add("streams", Json.createObjectBuilder().add(position.stream(),
                    Json.createObjectBuilder().add("offset", position.offset()).add("epoch", position.epoch())))
                    .build();
        }
        String since = first(query, "history_since");
        if (since != null) {
            try {
                long seconds = Long.parseLong(since);
                if (seconds > 0) {
                    return Json.createObjectBuilder().add("since", seconds).build();
                }
            } catch (NumberFormatException e) {
                return null; // not a time: no history, as a WebSocket client asking so would get none
            }
        }
        return null;
    }

    private static String pubsub(String key, String value) {
        return "{\"channel\":" + JsonText.quote(StreamResolver.PUBSUB_CHANNEL) + ",\"" + key + "\":"
                + JsonText.quote(value) + "}";
    }

    private static String first(Map<String, List<String>> query, String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() || values.get(0).isEmpty() ? null : values.get(0);
    }
}
