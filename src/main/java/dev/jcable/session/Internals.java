package dev.jcable.session;

import java.lang.reflect.Field;

/**
 * Reflection into a container's internals, for the container-specific transports. Free of any container type, so
 * that every container can load it.
 */
final class Internals {

    private Internals() {
    }

    /** A field declared by {@code type} or one of its superclasses, made accessible. */
    static Field field(Class<?> type, String name) throws NoSuchFieldException {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            try {
                Field field = c.getDeclaredField(name);
                field.setAccessible(true);
                return field;
            } catch (NoSuchFieldException e) {
                // look in the superclass
            }
        }
        throw new NoSuchFieldException(type.getName() + "." + name);
    }
}
