package dev.jcable.config;

import java.util.regex.Pattern;

/**
 * Pusher protocol mode (docs/pusher.md).
 *
 * @param appId      the id in the HTTP API's paths ({@code /apps/{appId}/…}); the key when not set
 * @param appKey     the key clients connect with ({@code /app/{appKey}}) and that signs requests ({@code auth_key})
 * @param secret     the HMAC-SHA256 key of channel signatures, HTTP API requests and webhooks
 * @param webhookUrl where Pusher-format webhooks are POSTed, or empty for none
 * @param maxConnections the app's connection quota on this node (Pusher connections open at once), 0 for none
 */
public record PusherConfig(String appId, String appKey, String secret, String webhookUrl, int maxConnections) {

    /** What an app id or key may be: it sits in URL paths unescaped. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    /** Off unless both the key and the secret are set. */
    public boolean enabled() {
        return !appKey.isEmpty() && !secret.isEmpty();
    }
}
