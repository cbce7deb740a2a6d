package dev.jcable.channels;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/** The application's channels by name. */
public final class Channels {

    private static final Channels NONE = new Channels(Map.of());

    private final Map<String, ChannelType> byName;

    private Channels(Map<String, ChannelType> byName) {
        this.byName = byName;
    }

    public static Channels none() {
        return NONE;
    }

    /** @throws IllegalArgumentException when two channels share a name */
    public static Channels of(Collection<ChannelType> types) {
        Map<String, ChannelType> byName = new HashMap<>();
        for (ChannelType type : types) {
            if (byName.put(type.name(), type) != null) {
                throw new IllegalArgumentException("two classes are @CableChannel(\"" + type.name() + "\")");
            }
        }
        return new Channels(Map.copyOf(byName));
    }

    /** The channel of that name, or null. */
    public ChannelType find(String name) {
        return name == null ? null : byName.get(name);
    }

    public int size() {
        return byName.size();
    }

    /** Every role the channels' annotations name: the ones the handshake asks the container about. */
    public java.util.Set<String> roles() {
        java.util.Set<String> all = new java.util.HashSet<>();
        byName.values().forEach(type -> all.addAll(type.roles()));
        return all;
    }
}
