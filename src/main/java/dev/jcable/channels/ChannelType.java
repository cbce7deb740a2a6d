package dev.jcable.channels;

import dev.jcable.api.CableChannel;
import dev.jcable.api.ChannelContext;
import jakarta.json.JsonObject;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * One {@link CableChannel} class: its lifecycle methods and actions, found once by reflection (the rule is in
 * {@link CableChannel}), and the instance they are called on (a CDI client proxy in a container).
 */
public final class ChannelType {

    private final String name;
    private final Object instance;
    private final Method subscribed;
    private final Method unsubscribed;
    private final Map<String, Method> actions;
    private final Around around;
    private final ChannelRoles roles;

    /** Runs each call to the application, e.g. inside an active CDI request context. */
    @FunctionalInterface
    public interface Around {
        void run(Runnable call);
    }

    private ChannelType(String name, Object instance, Method subscribed, Method unsubscribed,
                        Map<String, Method> actions, Around around, ChannelRoles roles) {
        this.name = name;
        this.roles = roles;
        this.around = around;
        this.instance = instance;
        this.subscribed = subscribed;
        this.unsubscribed = unsubscribed;
        this.actions = actions;
    }

    /**
     * @param type     the class carrying {@link CableChannel} (a CDI bean's class, not its proxy's)
     * @param instance what its methods are called on
     * @throws IllegalArgumentException for a class without the annotation, a reserved name, or two actions of one name
     */
    public static ChannelType of(Class<?> type, Object instance, Around around) {
        CableChannel annotation = type.getAnnotation(CableChannel.class);
        if (annotation == null || annotation.value().isBlank()) {
            throw new IllegalArgumentException(type.getName() + " has no @CableChannel name");
        }
        String name = annotation.value();
        if (name.startsWith("$") || name.equals("Turbo::StreamsChannel")) {
            throw new IllegalArgumentException("@CableChannel(\"" + name + "\") on " + type.getName()
                    + ": the name is jcable's own");
        }
        Method subscribed = null;
        Method unsubscribed = null;
        Map<String, Method> actions = new HashMap<>();
        for (Method method : type.getMethods()) {
            if (Modifier.isStatic(method.getModifiers()) || method.getDeclaringClass() == Object.class) {
                continue;
            }
            Class<?>[] parameters = method.getParameterTypes();
            boolean lifecycle = parameters.length == 1 && parameters[0] == ChannelContext.class;
            if (lifecycle && method.getName().equals("subscribed")) {
                subscribed = method;
            } else if (lifecycle && method.getName().equals("unsubscribed")) {
                unsubscribed = method;
            } else if (parameters.length == 2 && parameters[0] == ChannelContext.class
                    && parameters[1] == JsonObject.class) {
                if (actions.put(method.getName(), method) != null) {
                    throw new IllegalArgumentException(type.getName() + " has two actions named " + method.getName());
                }
            }
        }
        for (Method method : type.getMethods()) {
            method.trySetAccessible(); // a public method of a class that is not public itself (a nested class)
        }
        return new ChannelType(name, instance, subscribed, unsubscribed, Map.copyOf(actions), around,
                ChannelRoles.of(type, actions));
    }

    public String name() {
        return name;
    }

    public boolean hasAction(String action) {
        return actions.containsKey(action);
    }

    /** Whether a connection with these container roles may subscribe ({@code @RolesAllowed} on the class). */
    public boolean allowsSubscription(Set<String> granted) {
        return roles.allowsSubscription(granted);
    }

    /** Whether a connection with these container roles may call {@code action} ({@code @RolesAllowed} on it). */
    public boolean allowsAction(String action, Set<String> granted) {
        return roles.allowsAction(action, granted);
    }

    /** The roles this channel's annotations name ({@code @RolesAllowed}, {@code @DeclareRoles}). */
    public Set<String> roles() {
        return roles.named();
    }

    /** Calls {@code subscribed}, if there is one. @throws ChannelException for what the application threw */
    public void subscribed(ChannelContext context) {
        call(subscribed, context);
    }

    /** Calls {@code unsubscribed}, if there is one. @throws ChannelException for what the application threw */
    public void unsubscribed(ChannelContext context) {
        call(unsubscribed, context);
    }

    /** Calls the action; false when there is no such action. @throws ChannelException for what it threw */
    public boolean perform(String action, ChannelContext context, JsonObject data) {
        Method method = actions.get(action);
        if (method == null) {
            return false;
        }
        call(method, context, data);
        return true;
    }

    private void call(Method method, Object... arguments) {
        if (method == null) {
            return;
        }
        around.run(() -> {
            try {
                method.invoke(instance, arguments);
            } catch (InvocationTargetException e) {
                throw new ChannelException(name + "#" + method.getName() + " threw", e.getCause());
            } catch (IllegalAccessException e) {
                throw new ChannelException(name + "#" + method.getName() + " cannot be called", e);
            }
        });
    }

    /** What a channel's method threw, wrapped once so the caller can log it with the channel and method. */
    public static final class ChannelException extends RuntimeException {
        ChannelException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
