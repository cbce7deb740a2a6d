package dev.jcable.channels;

import jakarta.annotation.security.DeclareRoles;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import java.lang.reflect.Method;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Who may use a channel, from Jakarta's {@link RolesAllowed}: on the class, the roles a subscription needs (one of
 * them); on an action, the roles that action needs instead of the class's ({@link PermitAll} on an action: any
 * subscriber). Roles are the container login's (servlet or Jakarta Security), read at the handshake.
 */
final class ChannelRoles {

    static final ChannelRoles ANYONE = new ChannelRoles(null, Map.of(), Set.of());

    /** null: anyone may subscribe */
    private final Set<String> subscribe;
    /** action → the roles it needs (absent: the class's) ; an empty set: any subscriber */
    private final Map<String, Set<String>> actions;
    private final Set<String> named;

    private ChannelRoles(Set<String> subscribe, Map<String, Set<String>> actions, Set<String> named) {
        this.subscribe = subscribe;
        this.actions = actions;
        this.named = named;
    }

    static ChannelRoles of(Class<?> type, Map<String, Method> actionMethods) {
        Set<String> named = new HashSet<>();
        Set<String> subscribe = roles(type.getAnnotation(RolesAllowed.class));
        if (subscribe != null) {
            named.addAll(subscribe);
        }
        DeclareRoles declared = type.getAnnotation(DeclareRoles.class);
        if (declared != null) {
            named.addAll(Set.of(declared.value()));
        }
        Map<String, Set<String>> actions = new HashMap<>();
        actionMethods.forEach((action, method) -> {
            Set<String> roles = roles(method.getAnnotation(RolesAllowed.class));
            if (roles != null) {
                actions.put(action, roles);
                named.addAll(roles);
            } else if (method.isAnnotationPresent(PermitAll.class)) {
                actions.put(action, Set.of());
            }
        });
        if (subscribe == null && actions.isEmpty() && named.isEmpty()) {
            return ANYONE;
        }
        return new ChannelRoles(subscribe, Map.copyOf(actions), Set.copyOf(named));
    }

    private static Set<String> roles(RolesAllowed annotation) {
        return annotation == null ? null : Set.of(annotation.value());
    }

    boolean allowsSubscription(Set<String> granted) {
        return subscribe == null || hasAny(subscribe, granted);
    }

    boolean allowsAction(String action, Set<String> granted) {
        Set<String> needed = actions.get(action);
        if (needed == null) {
            return allowsSubscription(granted);
        }
        return needed.isEmpty() || hasAny(needed, granted);
    }

    /** Every role the annotations name. */
    Set<String> named() {
        return named;
    }

    private static boolean hasAny(Set<String> needed, Set<String> granted) {
        for (String role : needed) {
            if (granted.contains(role)) {
                return true;
            }
        }
        return false;
    }
}
