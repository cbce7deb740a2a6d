package dev.jcable.rpc;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import dev.jcable.rpc.RpcMessages.CommandCall;
import dev.jcable.rpc.RpcMessages.CommandReply;
import dev.jcable.rpc.RpcMessages.ConnectReply;
import dev.jcable.rpc.RpcMessages.DisconnectCall;
import dev.jcable.rpc.RpcMessages.Env;
import dev.jcable.rpc.RpcMessages.Presence;
import dev.jcable.rpc.RpcMessages.Status;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * gRPC's bodies: {@code rpc.proto}'s messages in the protobuf wire format, written and read with protobuf-java's
 * coded streams by their field numbers (no generated code: eight small messages do not need a build step). As proto3
 * does, empty strings and zero values are left out, and unknown fields are skipped.
 */
final class RpcProto {

    private RpcProto() {
    }

    /** {@code ConnectionRequest}: env = 3. */
    static byte[] connect(Env env) {
        return write(out -> out.writeByteArray(3, env(env)));
    }

    /** {@code CommandMessage}: command = 1, identifier = 2, connection_identifiers = 3, data = 4, env = 5. */
    static byte[] command(CommandCall call) {
        return write(out -> {
            string(out, 1, call.command());
            string(out, 2, call.identifier());
            string(out, 3, call.connectionIdentifiers());
            string(out, 4, call.data());
            out.writeByteArray(5, env(call.env()));
        });
    }

    /** {@code DisconnectRequest}: identifiers = 1, subscriptions = 2, env = 5. */
    static byte[] disconnect(DisconnectCall call) {
        return write(out -> {
            string(out, 1, call.identifiers());
            for (String subscription : call.subscriptions()) {
                out.writeString(2, subscription);
            }
            out.writeByteArray(5, env(call.env()));
        });
    }

    /** {@code Env}: url = 1, headers = 2, cstate = 3, istate = 4 (maps: entries of key = 1, value = 2). */
    private static byte[] env(Env env) {
        return write(out -> {
            string(out, 1, env.url());
            map(out, 2, env.headers());
            map(out, 3, env.cstate());
            map(out, 4, env.istate());
        });
    }

    /** {@code ConnectionResponse}: status = 1, identifiers = 2, transmissions = 3, error_msg = 4, env = 5. */
    static ConnectReply connectReply(byte[] bytes) {
        int[] status = {0};
        String[] strings = {"", ""};
        List<String> transmissions = new ArrayList<>();
        Map<String, String> cstate = new LinkedHashMap<>();
        read(bytes, (field, in) -> {
            switch (field) {
                case 1 -> status[0] = in.readEnum();
                case 2 -> strings[0] = in.readString();
                case 3 -> transmissions.add(in.readString());
                case 4 -> strings[1] = in.readString();
                case 5 -> envResponse(in.readByteArray(), cstate, new LinkedHashMap<>());
                default -> {
                    return false;
                }
            }
            return true;
        });
        return new ConnectReply(Status.of(status[0]), strings[0], transmissions, strings[1], cstate);
    }

    /**
     * {@code CommandResponse}: status = 1, disconnect = 2, stop_streams = 3, streams = 4, transmissions = 5,
     * error_msg = 6, env = 7, stopped_streams = 8, presence = 9.
     */
    static CommandReply commandReply(byte[] bytes) {
        int[] status = {0};
        boolean[] flags = {false, false};
        String[] error = {""};
        List<String> streams = new ArrayList<>();
        List<String> transmissions = new ArrayList<>();
        List<String> stopped = new ArrayList<>();
        Map<String, String> cstate = new LinkedHashMap<>();
        Map<String, String> istate = new LinkedHashMap<>();
        Presence[] presence = {null};
        read(bytes, (field, in) -> {
            switch (field) {
                case 1 -> status[0] = in.readEnum();
                case 2 -> flags[0] = in.readBool();
                case 3 -> flags[1] = in.readBool();
                case 4 -> streams.add(in.readString());
                case 5 -> transmissions.add(in.readString());
                case 6 -> error[0] = in.readString();
                case 7 -> envResponse(in.readByteArray(), cstate, istate);
                case 8 -> stopped.add(in.readString());
                case 9 -> presence[0] = presence(in.readByteArray());
                default -> {
                    return false;
                }
            }
            return true;
        });
        return new CommandReply(Status.of(status[0]), flags[0], flags[1], streams, stopped, transmissions, error[0],
                cstate, istate, presence[0]);
    }

    /** {@code DisconnectResponse}: status = 1. */
    static Status disconnectReply(byte[] bytes) {
        int[] status = {0};
        read(bytes, (field, in) -> {
            if (field == 1) {
                status[0] = in.readEnum();
                return true;
            }
            return false;
        });
        return Status.of(status[0]);
    }

    /** {@code PresenceResponse}: type = 1, id = 2, info = 3 (JSON text), ttl = 4 (not used: presence_ttl rules). */
    private static Presence presence(byte[] bytes) {
        String[] fields = {"", "", ""};
        read(bytes, (field, in) -> {
            if (field >= 1 && field <= 3) {
                fields[field - 1] = in.readString();
                return true;
            }
            return false;
        });
        return new Presence(fields[0], fields[1], fields[2].isEmpty() ? null : fields[2]);
    }

    /** {@code EnvResponse}: cstate = 1, istate = 2. */
    private static void envResponse(byte[] bytes, Map<String, String> cstate, Map<String, String> istate) {
        read(bytes, (field, in) -> {
            if (field == 1 || field == 2) {
                entry(in.readByteArray(), field == 1 ? cstate : istate);
                return true;
            }
            return false;
        });
    }

    private static void entry(byte[] bytes, Map<String, String> map) {
        String[] kv = {"", ""};
        read(bytes, (field, in) -> {
            if (field == 1 || field == 2) {
                kv[field - 1] = in.readString();
                return true;
            }
            return false;
        });
        map.put(kv[0], kv[1]);
    }

    // ---- the coded streams ------------------------------------------------------------------------

    private interface Writer {
        void write(CodedOutputStream out) throws IOException;
    }

    /** Reads one field's value and says so; false: not known here, skipped. */
    private interface FieldReader {
        boolean read(int field, CodedInputStream in) throws IOException;
    }

    private static byte[] write(Writer writer) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        try {
            writer.write(out);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void read(byte[] bytes, FieldReader reader) {
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        try {
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                if (!reader.read(WireFormat.getTagFieldNumber(tag), in)) {
                    in.skipField(tag);
                }
            }
        } catch (IOException e) {
            throw new RpcException(RpcException.Kind.FAILED, "the answer is not a valid protobuf message", e);
        }
    }

    private static void string(CodedOutputStream out, int field, String value) throws IOException {
        if (value != null && !value.isEmpty()) {
            out.writeString(field, value);
        }
    }

    private static void map(CodedOutputStream out, int field, Map<String, String> map) throws IOException {
        for (Map.Entry<String, String> entry : map.entrySet()) {
            out.writeByteArray(field, write(e -> {
                e.writeString(1, entry.getKey());
                e.writeString(2, entry.getValue() == null ? "" : entry.getValue());
            }));
        }
    }
}
