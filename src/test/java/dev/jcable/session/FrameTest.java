package dev.jcable.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameTest {

    @Test
    void utf8LengthIsWhatTheEncoderWrites() {
        for (String text : List.of("", "ascii", "h\u00e9llo", "\u20ac", "\ud83d\ude00", "a\ud83d", "\ude00b",
                "\u07ff\u0800\uffff", "x".repeat(70_000) + "\u00e9")) {
            assertEquals(text.getBytes(StandardCharsets.UTF_8).length, Frame.utf8Length(text), text);
        }
    }

    @Test
    void aFramesBytesAreItsPayloadsOnTheWireWithoutTheHeader() {
        Frame small = new Frame("{\"m\":\"\u00e9\"}");
        assertEquals(small.wire().length - 2, small.bytes());
        Frame medium = new Frame("\u20ac".repeat(100));
        assertEquals(medium.wire().length - 4, medium.bytes());
        assertEquals(300, medium.bytes());
    }
}
