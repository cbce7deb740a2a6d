package dev.jcable.api;

import jakarta.json.JsonObject;

/**
 * One subscription to a {@link CableChannel}, as its methods see it: what the client asked for, who the connection
 * is, and what the channel may do for it. Calls made in {@code subscribed} take effect once the subscription is
 * confirmed (stream first, then {@code transmit}s, then the presence join), so the client sees them in that order;
 * calls made in an action take effect at once. Only valid during the method it is passed to.
 */
public interface ChannelContext {

    /** The identifier's object, e.g. {@code {"channel":"ChatChannel","room":1}}. */
    JsonObject params();

    /**
     * The connection's identifiers: what the application's {@link ConnectionIdentifier} returned, else a verified
     * token's {@code ext} claim, else {@code {"sid":…}}.
     */
    JsonObject identifiers();

    /** The connection's id, as in its {@code welcome}. */
    String sid();

    /** The first value of a query parameter of the connection's URL ({@code /cable?uid=42}), or null. */
    String connectionParameter(String name);

    /**
     * Delivers the stream's broadcasts to this subscription. A subscription streams from one stream, its presence
     * is that stream's presence set.
     *
     * @throws IllegalStateException when it already streams from another stream
     */
    void streamFrom(String stream);

    /**
     * Streams from the stream of {@code key} in this channel: {@code <channel>:<key>}, the stream
     * {@link Broadcaster#broadcastTo(Class, Object, String)} addresses (Action Cable's {@code stream_for}).
     */
    void streamFor(Object key);

    /**
     * Joins the stream's presence set as {@code id}, exactly as a client's {@code join} does: every subscriber sees
     * the same {@code join} event, and a refused join is answered to this client with the same error.
     *
     * @param infoJson the member's info as JSON text ({@code {"name":"Vova"}}, or {@code "\"Vova\""} for a string),
     *                 or null
     * @throws IllegalArgumentException when {@code infoJson} is not one JSON value: it is never sent as it is, nor
     *                                  guessed into a string
     * @throws IllegalStateException when the subscription streams from nothing yet
     */
    void joinPresence(String id, String infoJson);

    /** Leaves the stream's presence set, as a client's {@code leave} does. */
    void leavePresence();

    /** Sends {@code data} to this subscriber only: as JSON when it is JSON text, else as a string. */
    void transmit(String data);

    /**
     * Refuses the subscription: the client gets {@code reject_subscription} and nothing else this call did takes
     * effect.
     *
     * @throws IllegalStateException outside {@code subscribed}
     */
    void reject();

    /** The stream {@link #streamFor} reads: {@code <channel name>:<key>}. */
    static String streamName(String channel, Object key) {
        return channel + ":" + key;
    }
}
