/**
 * jcable's supported Java API: the only package an application programs against. Everything else in the WAR
 * ({@code dev.jcable.node}, {@code broker}, {@code http}, …) is jcable's own and may change in any release; this
 * package changes only with a note in the changelog, and it imports nothing of jcable's internals, of Servlet or of
 * Jakarta REST (a test keeps it so).
 *
 * <h2>Entry points</h2>
 * <dl>
 *   <dt>{@link dev.jcable.api.Broadcaster}: broadcast from server code</dt>
 *   <dd><pre>{@code
 * @Inject Broadcaster cable;
 * cable.broadcast("room/1", "{\"text\":\"hi\"}");
 * }</pre></dd>
 *
 *   <dt>{@link dev.jcable.api.StreamSigner}: let a page subscribe to a signed stream</dt>
 *   <dd><pre>{@code
 * @Inject StreamSigner signer;
 * String signed = signer.sign("room/1");   // the page calls cable.streamFromSigned(signed)
 * }</pre></dd>
 *
 *   <dt>{@link dev.jcable.api.Presence} and {@link dev.jcable.api.Connections}: who is online, and logging them out</dt>
 *   <dd><pre>{@code
 * @Inject Presence presence;
 * int online = presence.count("room/1");
 * @Inject Connections connections;
 * connections.disconnect("{\"user_id\":\"42\"}", false);   // every connection of user 42, on every node
 * }</pre></dd>
 *
 *   <dt>{@link dev.jcable.api.CableChannel} and {@link dev.jcable.api.ChannelContext}: a channel in Java</dt>
 *   <dd><pre>{@code
 * @ApplicationScoped @CableChannel("ChatChannel")
 * public class ChatChannel {
 *     public void subscribed(ChannelContext channel) {
 *         channel.streamFrom("chat/" + channel.params().getString("room"));
 *     }
 *     public void speak(ChannelContext channel, JsonObject data) { ... }
 * }
 * }</pre></dd>
 *
 *   <dt>{@link dev.jcable.api.ConnectionIdentifier} and {@link dev.jcable.api.ConnectionRequest}: who connects</dt>
 *   <dd><pre>{@code
 * @ApplicationScoped
 * public class Identify implements ConnectionIdentifier {
 *     public Optional<JsonObject> identify(ConnectionRequest request) {
 *         return Optional.ofNullable(request.cookie("user"))
 *                 .map(user -> Json.createObjectBuilder().add("user_id", user).build());
 *     }
 * }
 * }</pre></dd>
 *
 *   <dt>CDI events: {@link dev.jcable.api.PresenceJoined}, {@link dev.jcable.api.PresenceLeft},
 *       {@link dev.jcable.api.ConnectionOpened}, {@link dev.jcable.api.ConnectionClosed}</dt>
 *   <dd><pre>{@code
 * void joined(@ObservesAsync PresenceJoined event) {
 *     log.info(event.id() + " is online in " + event.stream());
 * }
 * }</pre></dd>
 * </dl>
 * See docs/channels.md for the channel lifecycle and docs/architecture.md for how these reach the wire.
 */
package dev.jcable.api;
