package dev.jcable.pusher;

import dev.jcable.broker.BrokerUnavailableException;
import dev.jcable.broker.Publication;
import dev.jcable.config.CableConfig;
import dev.jcable.config.PusherConfig;
import dev.jcable.node.Node;
import dev.jcable.node.Overloaded;
import dev.jcable.protocol.JsonText;
import dev.jcable.protocol.PresenceInfo;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArray;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * Pusher's HTTP API over the node (docs/pusher.md): events are publications of the channel's stream, members are
 * its presence members. Every request is signed as Pusher signs them; the HTTP adapter ({@code PusherApiServlet})
 * only reads the request and writes the answer.
 */
@ApplicationScoped
public class PusherApi {

    /** How far a request's {@code auth_timestamp} may be from the server's clock, as Pusher allows. */
    static final long TIMESTAMP_WINDOW_SECONDS = 600;
    /** Channels of one event, and events of one batch: Pusher's own limits are lower (100 and 10). */
    static final int MAX_CHANNELS = 100;
    static final int MAX_BATCH = 100;
    private static final Pattern SOCKET_ID = Pattern.compile("\\d{1,12}\\.\\d{1,12}");

    @Inject
    Node node;

    @Inject
    CableConfig config;

    LongSupplier clock = System::currentTimeMillis;

    /** What to answer: a status and a JSON body. */
    public record Answer(int status, String body) {

        static Answer ok(String body) {
            return new Answer(200, body);
        }

        static Answer error(int status, String code, String message) {
            return new Answer(status, "{\"error\":" + JsonText.quote(code) + ",\"message\":"
                    + JsonText.quote(message) + "}");
        }
    }

    public boolean enabled() {
        return config.pusher().enabled();
    }

    /**
     * Answers one request.
     *
     * @param path  the request's path as signed ({@code /apps/{id}/…}, the context root included)
     * @param below what follows {@code /apps/}: {@code {id}/events}, {@code {id}/channels/{name}}, …
     * @param query the query parameters, decoded
     */
    public Answer handle(String method, String path, String below, Map<String, String> query, byte[] body) {
        PusherConfig pusher = config.pusher();
        String[] parts = below.split("/", -1);
        if (!pusher.enabled() || parts.length < 2 || !parts[0].equals(pusher.appId())) {
            return Answer.error(404, "not_found", "no Pusher app here with that id");
        }
        String refusal = refusal(pusher, method, path, query, body);
        if (refusal != null) {
            return Answer.error(401, "unauthorized", refusal);
        }
        try {
            if (parts.length == 2 && parts[1].equals("events")) {
                return post(method) ? events(body) : notAllowed();
            }
            if (parts.length == 2 && parts[1].equals("batch_events")) {
                return post(method) ? batch(body) : notAllowed();
            }
            if (parts.length == 2 && parts[1].equals("channels")) {
                return get(method) ? channels(query) : notAllowed();
            }
            if (parts.length == 3 && parts[1].equals("channels")) {
                return get(method) ? channel(parts[2], query) : notAllowed();
            }
            if (parts.length == 4 && parts[1].equals("channels") && parts[3].equals("users")) {
                return get(method) ? users(parts[2]) : notAllowed();
            }
        } catch (BrokerUnavailableException e) {
            return Answer.error(503, "broker_unavailable", e.getMessage());
        }
        return Answer.error(404, "not_found", "not an endpoint of Pusher's HTTP API");
    }

    // ---- request signing ------------------------------------------------------------------------------

    /** Why the request's signature does not hold, or null when it does. */
    String refusal(PusherConfig pusher, String method, String path, Map<String, String> query, byte[] body) {
        String key = query.get("auth_key");
        if (key == null || query.get("auth_signature") == null || query.get("auth_timestamp") == null) {
            return "missing auth_key, auth_timestamp or auth_signature: requests are signed as Pusher signs them";
        }
        if (!PusherSigning.matches(pusher.appKey(), key)) {
            return "unknown auth_key";
        }
        if (!"1.0".equals(query.get("auth_version"))) {
            return "auth_version must be 1.0";
        }
        long timestamp;
        try {
            timestamp = Long.parseLong(query.get("auth_timestamp"));
        } catch (NumberFormatException e) {
            return "auth_timestamp is not a number";
        }
        long now = clock.getAsLong() / 1000;
        if (Math.abs(now - timestamp) > TIMESTAMP_WINDOW_SECONDS) {
            return "Timestamp expired: given timestamp (" + timestamp + ") not within " + TIMESTAMP_WINDOW_SECONDS
                    + "s of server time (" + now + ")";
        }
        if (body.length > 0 && !PusherSigning.matches(md5Hex(body), query.get("body_md5"))) {
            return "body_md5 does not match the body";
        }
        TreeMap<String, String> signed = new TreeMap<>();
        query.forEach((name, value) -> {
            if (!name.equals("auth_signature")) {
                signed.put(name.toLowerCase(java.util.Locale.ROOT), value);
            }
        });
        StringBuilder text = new StringBuilder(method).append('\n').append(path).append('\n');
        signed.forEach((name, value) -> text.append(name).append('=').append(value).append('&'));
        text.setLength(text.length() - 1);
        String expected = PusherSigning.hmacHex(pusher.secret(), text.toString());
        if (!PusherSigning.matches(expected, query.get("auth_signature"))) {
            return "Invalid signature: expected hex(HMAC-SHA256(secret, \"" + text.toString().replace("\n", "\\n")
                    + "\"))";
        }
        return null;
    }

    private static String md5Hex(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is part of every Java runtime", e);
        }
    }

    // ---- events -----------------------------------------------------------------------------------------

    /** {@code {"name":…,"data":…,"channels":[…]|"channel":…,"socket_id":…}}: one publication per channel. */
    private Answer events(byte[] body) {
        JsonObject event = object(body);
        if (event == null) {
            return Answer.error(400, "invalid_json", "the body must be a JSON object");
        }
        List<Publication> publications = new ArrayList<>();
        String error = publications(event, publications);
        return error != null ? Answer.error(error.startsWith("413") ? 413 : 400, "invalid_event", error.substring(4))
                : publish(publications);
    }

    /** {@code {"batch":[{"channel":…,"name":…,"data":…,"socket_id":…},…]}}: all or nothing is checked first. */
    private Answer batch(byte[] body) {
        JsonObject request = object(body);
        if (request == null || !(request.get("batch") instanceof JsonArray batch)) {
            return Answer.error(400, "invalid_json", "the body must be {\"batch\":[…]}");
        }
        if (batch.size() > MAX_BATCH) {
            return Answer.error(400, "invalid_event", "at most " + MAX_BATCH + " events per batch");
        }
        List<Publication> publications = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            String error = batch.get(i) instanceof JsonObject event ? publications(event, publications)
                    : "400 not an object";
            if (error != null) {
                return Answer.error(error.startsWith("413") ? 413 : 400, "invalid_event",
                        "batch[" + i + "]: " + error.substring(4));
            }
        }
        return publish(publications);
    }

    /** Adds the event's publications; returns "<status> <why>" when it is not a valid event. */
    private String publications(JsonObject event, List<Publication> publications) {
        String name = event.get("name") instanceof JsonString s ? s.getString() : null;
        if (name == null || name.isEmpty() || name.length() > 200) {
            return "400 name must be a string of 1 to 200 characters";
        }
        JsonValue dataValue = event.get("data");
        if (dataValue == null) {
            return "400 data is missing";
        }
        String data = dataValue instanceof JsonString s ? s.getString() : JsonText.safe(dataValue.toString());
        List<String> channels = new ArrayList<>();
        if (event.get("channels") instanceof JsonArray array) {
            for (JsonValue channel : array) {
                channels.add(channel instanceof JsonString s ? s.getString() : null);
            }
        } else if (event.get("channel") instanceof JsonString channel) {
            channels.add(channel.getString());
        }
        if (channels.isEmpty() || channels.size() > MAX_CHANNELS) {
            return "400 channels must list 1 to " + MAX_CHANNELS + " channels (or channel name one)";
        }
        for (String channel : channels) {
            if (!PusherChannels.valid(channel)) {
                return "400 invalid channel name " + channel;
            }
        }
        String socketId = event.get("socket_id") instanceof JsonString s ? s.getString() : null;
        if (socketId != null && !SOCKET_ID.matcher(socketId).matches()) {
            return "400 socket_id must look like 1234.5678";
        }
        String encoded = new PusherEnvelope(name, data, null).encode();
        for (String channel : channels) {
            Publication publication = new Publication(channel, encoded, socketId);
            try {
                node.requirePublishable(publication);
            } catch (IllegalArgumentException e) {
                return "413 " + e.getMessage();
            }
            publications.add(publication);
        }
        return null;
    }

    private Answer publish(List<Publication> publications) {
        for (int i = 0; i < publications.size(); i++) {
            try {
                node.publish(publications.get(i));
            } catch (Overloaded e) {
                return Answer.error(503, "overloaded", e.getMessage() + " (" + i + " of " + publications.size()
                        + " publications were published)");
            }
        }
        return Answer.ok("{}");
    }

    // ---- channels -----------------------------------------------------------------------------------------

    /**
     * Occupied channels, by prefix: with a subscriber on some node of the cluster or (presence channels) with members;
     * {@code info=user_count} for presence ones.
     */
    private Answer channels(Map<String, String> query) {
        String prefix = query.getOrDefault("filter_by_prefix", "");
        Set<String> info = info(query);
        if (info.contains("user_count") && !prefix.startsWith("presence-")) {
            return Answer.error(400, "invalid_info", "user_count needs filter_by_prefix=presence-");
        }
        StringBuilder out = new StringBuilder("{\"channels\":{");
        boolean first = true;
        for (String channel : node.occupiedStreams(prefix)) {
            if (!PusherChannels.valid(channel)) {
                continue;
            }
            out.append(first ? "" : ",").append(JsonText.quote(channel)).append(":{");
            if (info.contains("user_count")) {
                out.append("\"user_count\":").append(node.presenceCount(channel));
            }
            out.append('}');
            first = false;
        }
        return Answer.ok(out.append("}}").toString());
    }

    private Answer channel(String channel, Map<String, String> query) {
        if (!PusherChannels.valid(channel)) {
            return Answer.error(400, "invalid_channel", "invalid channel name");
        }
        Set<String> info = info(query);
        boolean presence = PusherChannels.isPresence(channel);
        if (info.contains("user_count") && !presence) {
            return Answer.error(400, "invalid_info", "user_count is for presence channels only");
        }
        int subscriptions = node.subscriptions(channel);
        int users = presence ? node.presenceCount(channel) : 0;
        boolean occupied = subscriptions > 0 || users > 0 || node.occupied(channel);
        StringBuilder out = new StringBuilder("{\"occupied\":").append(occupied);
        if (info.contains("user_count")) {
            out.append(",\"user_count\":").append(users);
        }
        if (info.contains("subscription_count")) {
            out.append(",\"subscription_count\":").append(subscriptions);
        }
        return Answer.ok(out.append('}').toString());
    }

    private Answer users(String channel) {
        if (!PusherChannels.valid(channel) || !PusherChannels.isPresence(channel)) {
            return Answer.error(400, "invalid_channel", "users are listed for presence channels only");
        }
        PresenceInfo members = node.presenceInfo(channel);
        StringBuilder out = new StringBuilder("{\"users\":[");
        for (int i = 0; i < members.records().size(); i++) {
            out.append(i == 0 ? "" : ",").append("{\"id\":").append(JsonText.quote(members.records().get(i).id()))
                    .append('}');
        }
        return Answer.ok(out.append("]}").toString());
    }

    private static Set<String> info(Map<String, String> query) {
        String info = query.get("info");
        return info == null ? Set.of() : new java.util.HashSet<>(List.of(info.split(",")));
    }

    private static JsonObject object(byte[] body) {
        try {
            return JsonText.parse(new String(body, StandardCharsets.UTF_8)) instanceof JsonObject o ? o : null;
        } catch (JsonException e) {
            return null;
        }
    }

    private static boolean post(String method) {
        return "POST".equals(method);
    }

    private static boolean get(String method) {
        return "GET".equals(method);
    }

    private static Answer notAllowed() {
        return Answer.error(405, "method_not_allowed", "Method Not Allowed");
    }
}
