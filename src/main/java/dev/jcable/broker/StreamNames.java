package dev.jcable.broker;

import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;

/** The listings by prefix that both brokers answer ({@link Broker#occupiedStreams}, {@link Broker#presenceStreams}). */
public final class StreamNames {

    private StreamNames() {
    }

    /** Those of {@code streams} whose names start with {@code prefix}, sorted. */
    public static Set<String> startingWith(Collection<String> streams, String prefix) {
        Set<String> named = new TreeSet<>();
        for (String stream : streams) {
            if (stream.startsWith(prefix)) {
                named.add(stream);
            }
        }
        return named;
    }
}
