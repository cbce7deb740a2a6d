package dev.jcable.node;

import dev.jcable.broker.Broadcast;
import dev.jcable.broker.BrokerListener;
import dev.jcable.broker.Publication;
import dev.jcable.broker.PublicationParser;
import dev.jcable.broker.RemoteCommand;
import dev.jcable.broker.StreamMessage;
import dev.jcable.broker.redis.BroadcastIngress;
import dev.jcable.metrics.Counter;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What AnyCable's server SDKs broadcast through Redis ({@code broadcast_adapter} {@code redis}, {@code redisx}), in
 * {@code POST /_broadcast}'s format. A payload that does not parse is dropped and logged (the first at
 * {@code WARNING}, later ones at {@code FINE}); a publication the broker cannot make throws, so that a
 * {@code redisx} entry stays pending and is taken again.
 */
final class RedisIngress implements BroadcastIngress {

    private static final Logger LOG = Logger.getLogger(RedisIngress.class.getName());

    private final Consumer<Broadcast> publisher;
    private final BrokerListener local;
    private final AtomicBoolean warned = new AtomicBoolean();

    /**
     * @param publisher publishes as {@code POST /_broadcast} does (throwing when the broker cannot, or the stream's
     *                  deliveries are too far behind: the entry is then taken again later)
     * @param local     this node's own delivery
     */
    RedisIngress(Consumer<Broadcast> publisher, BrokerListener local) {
        this.publisher = publisher;
        this.local = local;
    }

    @Override
    public void publish(Broadcast broadcast) {
        publisher.accept(broadcast);
    }

    @Override
    public void deliverLocally(String payload) {
        for (Broadcast broadcast : parse(payload)) {
            if (broadcast instanceof Publication p) {
                local.deliver(new StreamMessage(p.stream(), p.data(), p.excludeSocket(), null, 0));
            } else if (broadcast instanceof RemoteCommand command) {
                local.command(command);
            }
        }
    }

    @Override
    public List<Broadcast> parse(String payload) {
        try {
            return PublicationParser.parse(payload);
        } catch (PublicationParser.InvalidBody e) {
            Counter.FAILED_BROADCAST_MSG.increment();
            Level level = warned.compareAndSet(false, true) ? Level.WARNING : Level.FINE;
            LOG.log(level, () -> "jcable: dropped a broadcast from Redis: " + e.getMessage());
            return List.of();
        }
    }
}
