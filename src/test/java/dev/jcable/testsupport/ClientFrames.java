package dev.jcable.testsupport;

import java.io.ByteArrayOutputStream;
import java.security.SecureRandom;
import java.util.Random;

/**
 * WebSocket frames as a client must write them (RFC 6455 §5.2: masked, with a fresh mask per frame), for the tests and
 * benchmarks that speak the protocol on a raw socket to control exactly what is sent and when.
 */
public final class ClientFrames {

    private static final Random RANDOM = new SecureRandom();

    private ClientFrames() {
    }

    /** One masked frame of {@code opcode} carrying {@code payload}; {@code fin} false for a fragment. */
    public static byte[] frame(int opcode, byte[] payload, boolean fin) {
        ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
        frame.write((fin ? 0x80 : 0) | opcode);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else if (payload.length < 65_536) {
            frame.write(0x80 | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length & 0xFF);
        } else {
            frame.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) payload.length >>> shift) & 0xFF);
            }
        }
        byte[] mask = new byte[4];
        RANDOM.nextBytes(mask);
        frame.write(mask, 0, 4);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i % 4]);
        }
        return frame.toByteArray();
    }
}
