package dev.jcable.session;

import java.lang.reflect.Field;
import java.lang.reflect.Method;

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

    /** A method without parameters declared by {@code type} or one of its superclasses, made accessible. */
    static Method method(Class<?> type, String name) throws NoSuchMethodException {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            try {
                Method method = c.getDeclaredMethod(name);
                method.setAccessible(true);
                return method;
            } catch (NoSuchMethodException e) {
                // look in the superclass
            }
        }
        throw new NoSuchMethodException(type.getName() + "." + name + "()");
    }

    /** The constant {@code name} of the enum {@code type}, compared by identity on the hot path. */
    static Object constant(Class<?> type, String name) throws NoSuchFieldException {
        for (Object value : type.getEnumConstants() == null ? new Object[0] : type.getEnumConstants()) {
            if (((Enum<?>) value).name().equals(name)) {
                return value;
            }
        }
        throw new NoSuchFieldException(type.getName() + "." + name);
    }
}
