package dev.jcable.broker.redis;

import dev.jcable.broker.CachedSession;
import dev.jcable.streams.StreamSpec;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A restorable session as stored in Redis, so that another node can restore it:
 * {@code {"i":<identifiers or null>,"s":[[identifier,stream or null,presence,whisper],…],"h":<heard at, ms>}},
 * subscriptions in order ({@code h} absent from blobs of before: 0, unknown).
 */
final class SessionBlobs {

    private SessionBlobs() {
    }

    static String encode(CachedSession session) {
        JsonArrayBuilder subscriptions = Json.createArrayBuilder();
        session.subscriptions().forEach((identifier, spec) -> {
            var entry = Json.createArrayBuilder().add(identifier);
            if (spec.stream() == null) { // a Java channel's subscription that streams from nothing
                entry.addNull();
            } else {
                entry.add(spec.stream());
            }
            subscriptions.add(entry.add(spec.presence()).add(spec.whisper()));
        });
        var blob = Json.createObjectBuilder();
        if (session.identifiers() == null) {
            blob.addNull("i");
        } else {
            blob.add("i", session.identifiers());
        }
        return blob.add("s", subscriptions).add("h", session.heardAt()).build().toString();
    }

    static CachedSession decode(String text) {
        JsonObject blob;
        try (JsonReader reader = Json.createReader(new StringReader(text))) {
            blob = reader.readObject();
        }
        Map<String, StreamSpec> subscriptions = new LinkedHashMap<>();
        for (JsonValue value : blob.getJsonArray("s")) {
            JsonArray s = value.asJsonArray();
            subscriptions.put(s.getString(0), new StreamSpec(s.isNull(1) ? null : s.getString(1), s.getBoolean(2), s.getBoolean(3)));
        }
        return new CachedSession(blob.isNull("i") ? null : blob.getString("i"), subscriptions,
                blob.containsKey("h") ? blob.getJsonNumber("h").longValue() : 0);
    }
}
