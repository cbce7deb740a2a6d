package dev.jcable.pusher;

import java.util.regex.Pattern;

/** Pusher's channel names and kinds: public, {@code private-} and {@code presence-}. */
final class PusherChannels {

    /** Pusher's characters and its 164-character limit. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_\\-=@,.;]{1,164}");

    private PusherChannels() {
    }

    static boolean valid(String channel) {
        return channel != null && NAME.matcher(channel).matches();
    }

    static boolean isPresence(String channel) {
        return channel.startsWith("presence-");
    }

    static boolean isPrivate(String channel) {
        return channel.startsWith("private-");
    }

    /** Private and presence channels need a signature and may carry client events. */
    static boolean isAuthorized(String channel) {
        return isPrivate(channel) || isPresence(channel);
    }
}
