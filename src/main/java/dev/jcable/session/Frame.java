package dev.jcable.session;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One outbound text message. A broadcast builds one {@code Frame} per identifier group and queues that same object
 * to every subscriber, so a transport that writes raw WebSocket frames encodes it once ({@link #wire()}) whatever
 * the number of sessions it goes to.
 */
public final class Frame {

    /**
     * A WebSocket ping (RFC 6455 §5.5.2: FIN + opcode 9, no payload, unmasked), made once for every connection. A
     * raw transport writes it in a batch like any frame, so a ping costs a connection what a text frame costs it
     * ({@link FrameWriter#writesPings}); the portable path sends it with the container's {@code sendPing}. It is no
     * message: it counts no characters against the outbox's bound and is not counted as a message sent.
     */
    static final Frame PING = new Frame("", new byte[] {(byte) 0x89, 0});

    private final String text;
    private byte[] wire; // racy but benign: two threads may encode it at once and produce equal arrays
    private int bytes = -1; // the payload's UTF-8 size, counted once (racy but benign, as wire)
    private String event; // as a server-sent event, made once for every SSE connection (racy but benign, as wire)

    public Frame(String text) {
        this.text = text;
    }

    private Frame(String text, byte[] wire) {
        this.text = text;
        this.wire = wire;
    }

    /** Whether this is the WebSocket ping {@link #PING}, not a text message. */
    boolean isPing() {
        return this == PING;
    }

    public String text() {
        return text;
    }

    /** The frame as a server-sent event ({@link SseFrames#event}); empty when it is none. */
    String event() {
        String made = event;
        if (made == null) {
            made = SseFrames.event(text);
            event = made;
        }
        return made;
    }

    /** The size the outbox bounds: characters, as the JSON was built. */
    int chars() {
        return text.length();
    }

    /** The payload's size in bytes (UTF-8), what the {@code anycable_go_data_sent} metric counts. */
    int bytes() {
        int size = bytes;
        if (size < 0) {
            size = utf8Length(text);
            bytes = size;
        }
        return size;
    }

    /**
     * The UTF-8 size of {@code text} as {@link String#getBytes} encodes it (a lone surrogate becomes one byte,
     * {@code ?}), counted without encoding.
     */
    public static int utf8Length(String text) {
        int length = text.length();
        int size = length;
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (c >= 0x80) {
                if (c < 0x800) {
                    size += 1;
                } else if (Character.isHighSurrogate(c) && i + 1 < length
                        && Character.isLowSurrogate(text.charAt(i + 1))) {
                    size += 2; // a pair: 4 bytes for 2 chars
                    i++;
                } else if (!Character.isSurrogate(c)) {
                    size += 2;
                }
            }
        }
        return size;
    }

    /**
     * The whole frame as it goes on the wire (RFC 6455 §5.2): FIN + text opcode, the payload length, no mask (a
     * server never masks), the UTF-8 payload. Shared: callers must not modify it.
     */
    byte[] wire() {
        byte[] encoded = wire;
        if (encoded == null) {
            encoded = encode(text);
            wire = encoded;
        }
        return encoded;
    }

    /** Several frames as one write's bytes: the frame's own (shared) bytes when there is one, else a copy of all. */
    static byte[] wire(List<Frame> frames) {
        if (frames.size() == 1) {
            return frames.get(0).wire();
        }
        int size = 0;
        for (Frame frame : frames) {
            size += frame.wire().length;
        }
        byte[] out = new byte[size];
        int at = 0;
        for (Frame frame : frames) {
            byte[] wire = frame.wire();
            System.arraycopy(wire, 0, out, at, wire.length);
            at += wire.length;
        }
        return out;
    }

    static byte[] encode(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        int length = payload.length;
        int header = length < 126 ? 2 : length <= 0xFFFF ? 4 : 10;
        byte[] frame = new byte[header + length];
        frame[0] = (byte) 0x81;
        if (length < 126) {
            frame[1] = (byte) length;
        } else if (length <= 0xFFFF) {
            frame[1] = 126;
            frame[2] = (byte) (length >>> 8);
            frame[3] = (byte) length;
        } else {
            frame[1] = 127;
            for (int i = 0; i < 8; i++) {
                frame[2 + i] = (byte) ((long) length >>> (56 - 8 * i));
            }
        }
        System.arraycopy(payload, 0, frame, header, length);
        return frame;
    }

    @Override
    public String toString() {
        return text;
    }
}
