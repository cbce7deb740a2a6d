package dev.jcable.rpc;

import dev.jcable.rpc.RpcMessages.CommandCall;
import dev.jcable.rpc.RpcMessages.CommandReply;
import dev.jcable.rpc.RpcMessages.ConnectReply;
import dev.jcable.rpc.RpcMessages.DisconnectCall;
import dev.jcable.rpc.RpcMessages.Env;
import dev.jcable.rpc.RpcMessages.Presence;
import dev.jcable.rpc.RpcMessages.Status;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * RPC over HTTP's bodies: {@code rpc.proto}'s messages as JSON with the proto's field names
 * ({@code connection_identifiers}, {@code error_msg}, …), as AnyCable's HTTP RPC servers read and write them. Answers
 * are read leniently, as protobuf's JSON mapping allows: camelCase names too, a status as its number or its name.
 */
final class RpcJson {

    private RpcJson() {
    }

    static String connect(Env env) {
        return Json.createObjectBuilder().add("env", env(env)).build().toString();
    }

    static String command(CommandCall call) {
        JsonObjectBuilder body = Json.createObjectBuilder()
                .add("command", call.command())
                .add("identifier", call.identifier())
                .add("connection_identifiers", nullToEmpty(call.connectionIdentifiers()))
                .add("data", nullToEmpty(call.data()))
                .add("env", env(call.env()));
        return body.build().toString();
    }

    static String disconnect(DisconnectCall call) {
        JsonArrayBuilder subscriptions = Json.createArrayBuilder();
        call.subscriptions().forEach(subscriptions::add);
        return Json.createObjectBuilder()
                .add("identifiers", nullToEmpty(call.identifiers()))
                .add("subscriptions", subscriptions)
                .add("env", env(call.env())).build().toString();
    }

    static ConnectReply connectReply(String body) {
        JsonObject json = parse(body);
        JsonObject env = object(json, "env");
        return new ConnectReply(status(json), string(json, "identifiers"), strings(json, "transmissions"),
                string(json, "error_msg", "errorMsg"), map(env, "cstate"));
    }

    static CommandReply commandReply(String body) {
        JsonObject json = parse(body);
        JsonObject env = object(json, "env");
        JsonObject presence = object(json, "presence");
        Presence change = presence == null ? null : new Presence(string(presence, "type"), string(presence, "id"),
                info(presence.get("info")));
        return new CommandReply(status(json), bool(json, "disconnect"), bool(json, "stop_streams", "stopStreams"),
                strings(json, "streams"), strings(json, "stopped_streams", "stoppedStreams"),
                strings(json, "transmissions"), string(json, "error_msg", "errorMsg"), map(env, "cstate"),
                map(env, "istate"), change);
    }

    static Status disconnectReply(String body) {
        return status(parse(body));
    }

    private static JsonObject env(Env env) {
        return Json.createObjectBuilder()
                .add("url", nullToEmpty(env.url()))
                .add("headers", Json.createObjectBuilder(new LinkedHashMap<String, Object>(env.headers())))
                .add("cstate", Json.createObjectBuilder(new LinkedHashMap<String, Object>(env.cstate())))
                .add("istate", Json.createObjectBuilder(new LinkedHashMap<String, Object>(env.istate())))
                .build();
    }

    private static JsonObject parse(String body) {
        try (var reader = Json.createReader(new StringReader(body))) {
            return reader.readObject();
        } catch (RuntimeException e) {
            throw new RpcException(RpcException.Kind.FAILED, "the answer is not a JSON object", e);
        }
    }

    private static Status status(JsonObject json) {
        JsonValue value = json.get("status");
        if (value instanceof JsonNumber n) {
            return Status.of(n.intValue());
        }
        if (value instanceof JsonString s) {
            return switch (s.getString()) {
                case "SUCCESS" -> Status.SUCCESS;
                case "FAILURE" -> Status.FAILURE;
                default -> Status.ERROR;
            };
        }
        return Status.ERROR; // proto3 leaves out a zero: no status is ERROR
    }

    /** The first of {@code names} present; null when none is (or it is JSON null). */
    private static JsonValue field(JsonObject json, String... names) {
        if (json == null) {
            return null;
        }
        for (String name : names) {
            JsonValue value = json.get(name);
            if (value != null && value.getValueType() != JsonValue.ValueType.NULL) {
                return value;
            }
        }
        return null;
    }

    private static String string(JsonObject json, String... names) {
        return field(json, names) instanceof JsonString s ? s.getString() : "";
    }

    private static boolean bool(JsonObject json, String... names) {
        return field(json, names) == JsonValue.TRUE;
    }

    private static JsonObject object(JsonObject json, String name) {
        return field(json, name) instanceof JsonObject o ? o : null;
    }

    private static List<String> strings(JsonObject json, String... names) {
        List<String> list = new ArrayList<>();
        if (field(json, names) instanceof JsonArray array) {
            for (JsonValue value : array) {
                list.add(value instanceof JsonString s ? s.getString() : value.toString());
            }
        }
        return list;
    }

    private static Map<String, String> map(JsonObject json, String name) {
        Map<String, String> map = new LinkedHashMap<>();
        if (field(json, name) instanceof JsonObject o) {
            o.forEach((key, value) -> map.put(key, value instanceof JsonString s ? s.getString() : value.toString()));
        }
        return map;
    }

    /** The proto's {@code info} is a JSON string; a JSON object is taken as it is. */
    private static String info(JsonValue value) {
        if (value == null || value.getValueType() == JsonValue.ValueType.NULL) {
            return null;
        }
        if (value instanceof JsonString s) {
            return s.getString().isEmpty() ? null : s.getString();
        }
        return value.toString();
    }

    private static String nullToEmpty(String value) {
        return value == null ? "" : value;
    }
}
