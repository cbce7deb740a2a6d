package dev.jcable.broker.redis;

import dev.jcable.broker.StreamMessage;
import dev.jcable.protocol.PresenceEvent;

/**
 * The bodies the scripts publish on a stream's channel (the stream is the channel's name):
 * <ul>
 * <li>{@code m<offset>:<epoch>:<exclude>:<data>}: a message (epochs and session ids contain no {@code :}; an
 * {@code exclude_socket} that does is written as none, see {@link #exclude})</li>
 * <li>{@code t<exclude>:<data>}: a whisper, delivered but never stored (offset 0)</li>
 * <li>{@code j<seq>:<UTF-8 bytes of id>:<id><info>}: a join, info empty when there is none</li>
 * <li>{@code l<seq>:<id>}: a leave</li>
 * </ul>
 * where {@code seq} is the stream's presence sequence number of the transition ({@code pn} in lib.lua).
 */
final class PubSubPayloads {

    private PubSubPayloads() {
    }

    /**
     * The exclusion as a payload carries it: empty for none, and for an {@code exclude_socket} holding a {@code :}
     * (the caller's text), which names no session (session ids are url-safe) and would shift the data's start.
     */
    static String exclude(String excludeSocket) {
        return excludeSocket == null || excludeSocket.indexOf(':') >= 0 ? "" : excludeSocket;
    }

    static StreamMessage message(String stream, String payload) {
        int a = payload.indexOf(':');
        int b = payload.indexOf(':', a + 1);
        int c = payload.indexOf(':', b + 1);
        if (a < 0 || b < 0 || c < 0) {
            throw new IllegalArgumentException("jcable: malformed message on the channel of " + stream);
        }
        String exclude = payload.substring(b + 1, c);
        return new StreamMessage(stream, payload.substring(c + 1), exclude.isEmpty() ? null : exclude,
                payload.substring(a + 1, b), Long.parseLong(payload, 1, a, 10));
    }

    static StreamMessage whisper(String stream, String payload) {
        int colon = payload.indexOf(':');
        String exclude = payload.substring(1, colon);
        return new StreamMessage(stream, payload.substring(colon + 1), exclude.isEmpty() ? null : exclude, null, 0);
    }

    static PresenceEvent presence(String payload) {
        int seqEnd = payload.indexOf(':');
        long seq = Long.parseLong(payload, 1, seqEnd, 10);
        if (payload.charAt(0) == 'l') {
            return PresenceEvent.leave(payload.substring(seqEnd + 1), seq);
        }
        int colon = payload.indexOf(':', seqEnd + 1);
        int bytes = Integer.parseInt(payload, seqEnd + 1, colon, 10);
        int end = colon + 1;
        while (bytes > 0) { // Lua measures the id in bytes
            int codePoint = payload.codePointAt(end);
            bytes -= codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
            end += Character.charCount(codePoint);
        }
        String info = payload.substring(end);
        return PresenceEvent.join(payload.substring(colon + 1, end), info.isEmpty() ? null : info, seq);
    }
}
