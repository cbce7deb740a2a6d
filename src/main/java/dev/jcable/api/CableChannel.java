package dev.jcable.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a CDI bean as an Action Cable channel: {@code cable.subscribeTo("ChatChannel", {room: 1})} subscribes to
 * the bean annotated {@code @CableChannel("ChatChannel")}. jcable finds every such bean when it starts; nothing is
 * registered by hand. The bean needs a bean-defining annotation ({@code @ApplicationScoped}, or {@code @Dependent},
 * of which jcable then holds one instance): one instance serves every subscription, so per-subscription state
 * belongs in the {@link ChannelContext}'s streams and presence, or in the application's own store.
 * <p>
 * Methods, found by name and parameters (all optional, all public):
 * <ul>
 *   <li>{@code void subscribed(ChannelContext channel)}: a client subscribes; stream, join presence, transmit or
 *       {@link ChannelContext#reject() reject} here. Without this method every subscription is confirmed.</li>
 *   <li>{@code void unsubscribed(ChannelContext channel)}: the client unsubscribed or its connection closed.</li>
 *   <li>an action: {@code void speak(ChannelContext channel, JsonObject data)} is called for
 *       {@code channel.perform("speak", {...})}; {@code data} is the object the client sent, {@code action}
 *       included. Any other public method is not an action.</li>
 * </ul>
 * An exception thrown by one of them is logged and the client gets no answer, as AnyCable answers a failed RPC
 * call; the connection and its other subscriptions carry on. See docs/channels.md.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface CableChannel {

    /** The channel name clients subscribe to: the identifier's {@code channel}. */
    String value();
}
