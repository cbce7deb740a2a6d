package dev.jcable.channels;

import dev.jcable.api.CableChannel;
import dev.jcable.api.ConnectionIdentifier;
import dev.jcable.config.CableConfig;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.control.RequestContextController;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Finds the application's {@link CableChannel} beans and its {@link ConnectionIdentifier} through the
 * {@link BeanManager} when the node starts: no registration, no portable extension (the same lookup works on every
 * container; the WAR's beans.xml discovers annotated beans). A bad channel class fails the deployment.
 */
@ApplicationScoped
public class ChannelDiscovery {

    private static final Logger LOG = Logger.getLogger(ChannelDiscovery.class.getName());

    @Inject
    BeanManager beans;

    @Inject
    Instance<RequestContextController> requestContexts;

    @Inject
    Instance<ConnectionIdentifier> identifiers;

    @Inject
    CableConfig config;

    private Channels channels;

    /**
     * The demo page's channel ({@code RoomChannel}) is the application's only while the demo is served: otherwise an
     * RPC application's channel of the same name would be shadowed by it (a Java channel wins a name both know).
     */
    private static final String DEMO_PACKAGE = "dev.jcable.demo";

    @PostConstruct
    void discover() {
        List<ChannelType> found = new ArrayList<>();
        for (Bean<?> bean : beans.getBeans(Object.class, Any.Literal.INSTANCE)) {
            Class<?> type = bean.getBeanClass();
            if (type.isAnnotationPresent(CableChannel.class) && bean.getTypes().contains(type)
                    && (config.demo() || !type.getPackageName().equals(DEMO_PACKAGE))) {
                Object instance = beans.getReference(bean, type, beans.createCreationalContext(bean));
                found.add(ChannelType.of(type, instance, this::inRequestContext));
            }
        }
        channels = Channels.of(found);
        if (!found.isEmpty()) {
            LOG.info(() -> "jcable: channels " + found.stream().map(ChannelType::name).sorted().toList());
        }
    }

    public Channels channels() {
        return channels;
    }

    /** The application's connection identifier (called in a request context), or null when it has none. */
    public ConnectionIdentifier identifier() {
        if (identifiers.isUnsatisfied()) {
            return null;
        }
        if (identifiers.isAmbiguous()) {
            throw new IllegalStateException("more than one ConnectionIdentifier bean; jcable calls exactly one");
        }
        ConnectionIdentifier application = identifiers.get();
        return request -> {
            List<Optional<JsonObject>> result = new ArrayList<>(1);
            inRequestContext(() -> result.add(application.identify(request)));
            return result.get(0);
        };
    }

    /**
     * The application's connection identifier bean class, whose {@code @DeclareRoles} count, or null without exactly
     * one: {@link #identifier()} wraps the bean, so its own class says nothing of the application's.
     */
    public Class<?> identifierClass() {
        java.util.Set<Bean<?>> found = beans.getBeans(ConnectionIdentifier.class);
        return found.size() == 1 ? found.iterator().next().getBeanClass() : null;
    }

    /** Channel code may use request-scoped beans (an EntityManager, say): each call gets a request context. */
    private void inRequestContext(Runnable call) {
        RequestContextController controller = requestContexts.get();
        boolean activated = controller.activate();
        try {
            call.run();
        } finally {
            if (activated) {
                controller.deactivate();
            }
            requestContexts.destroy(controller);
        }
    }
}
