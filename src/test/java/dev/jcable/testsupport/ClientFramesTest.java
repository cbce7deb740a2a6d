package dev.jcable.testsupport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each length encoding of RFC 6455 §5.2 (7-bit, 16-bit, 64-bit), read back as a server reads a client's frame. */
class ClientFramesTest {

    @ParameterizedTest
    @ValueSource(ints = {0, 125, 126, 65_535, 65_536})
    void aFrameReadsBackAsItsPayload(int length) {
        byte[] payload = new byte[length];
        for (int i = 0; i < length; i++) {
            payload[i] = (byte) (i * 31);
        }
        ByteBuffer frame = ByteBuffer.wrap(ClientFrames.frame(0x2, payload, false));
        assertEquals(0x02, frame.get() & 0xFF, "no FIN, binary");
        int second = frame.get() & 0xFF;
        assertEquals(0x80, second & 0x80, "masked");
        long read = second & 0x7F;
        if (read == 126) {
            read = frame.getShort() & 0xFFFF;
        } else if (read == 127) {
            read = frame.getLong();
        }
        assertEquals(length, read);
        assertEquals(length < 126 ? 2 : length < 65_536 ? 4 : 10, frame.position(), "the shortest length encoding");
        byte[] mask = new byte[4];
        frame.get(mask);
        byte[] unmasked = new byte[length];
        for (int i = 0; i < length; i++) {
            unmasked[i] = (byte) (frame.get() ^ mask[i % 4]);
        }
        assertArrayEquals(payload, unmasked);
        assertEquals(0, frame.remaining());
    }
}
