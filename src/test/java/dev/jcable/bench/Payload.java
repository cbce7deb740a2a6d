package dev.jcable.bench;

import java.time.Instant;

/**
 * The broadcast payload: {@code {"t":<send time, epoch µs>,"s":<sequence>,"p":"xxx…"}}, padded to a fixed size
 * (200 bytes in the published runs). Publisher and subscribers run on the same machine, so they share the clock.
 */
public final class Payload {

    private Payload() {
    }

    /** Wall-clock time in epoch microseconds (the JDK's clock has microsecond resolution on Linux). */
    public static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
    }

    public static String make(long sentMicros, int seq, int size) {
        StringBuilder b = new StringBuilder(size + 8).append("{\"t\":").append(sentMicros).append(",\"s\":").append(seq)
                .append(",\"p\":\"");
        while (b.length() < size - 2) {
            b.append('x');
        }
        return b.append("\"}").toString();
    }

    /** The value of the numeric field {@code "name":} in {@code frame}, or -1 when absent. */
    public static long field(CharSequence frame, String key) {
        int at = indexOf(frame, key);
        if (at < 0) {
            return -1;
        }
        long v = 0;
        boolean any = false;
        for (int i = at + key.length(); i < frame.length(); i++) {
            char c = frame.charAt(i);
            if (c < '0' || c > '9') {
                break;
            }
            v = v * 10 + (c - '0');
            any = true;
        }
        return any ? v : -1;
    }

    static int indexOf(CharSequence s, String key) {
        int n = s.length() - key.length();
        outer:
        for (int i = 0; i <= n; i++) {
            for (int j = 0; j < key.length(); j++) {
                if (s.charAt(i + j) != key.charAt(j)) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** The payload as a JSON string literal (for the {@code data} field of a publication). */
    public static String quoted(String json) {
        return "\"" + json.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
