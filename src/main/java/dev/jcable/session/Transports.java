package dev.jcable.session;

import jakarta.websocket.Session;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Picks how frames leave, once at start from the WebSocket container in use, and opens each connection's
 * {@link Transport}. Container internals are used only behind a guard: when they are not what jcable knows (an
 * unknown container, a changed internal, an adapter that throws), jcable logs one WARNING and uses the portable path
 * from then on; a frame is never lost to the switch.
 */
public final class Transports {

    private static final Logger LOG = Logger.getLogger(Transports.class.getName());

    /** The ways out, by the name the start-up line and the {@code ws_transport} option use. */
    public enum Kind {
        /** Jakarta WebSocket's async remote, one message per send: any container. */
        PORTABLE("portable"),
        /** Tyrus (Payara, GlassFish): ready-made frames to the connection's writer, several per write. */
        TYRUS("tyrus-raw"),
        /** Undertow (WildFly): the async remote with batching, one flush per batch of queued messages. */
        UNDERTOW("undertow-batched"),
        /** Open Liberty: ready-made frames to the connection's TCP channel inside Liberty's write guard. */
        LIBERTY("liberty-raw");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private volatile Kind kind;
    /** {@link #fallBack}, made once: every connection's guarded transport holds it. */
    private final java.util.function.Consumer<Throwable> fallBack = this::fallBack;

    private Transports(Kind kind) {
        this.kind = kind;
    }

    /**
     * @param container the class of the server's {@code jakarta.websocket.server.ServerContainer} (it tells the
     *                  implementation), or null when unknown
     * @param portable  the {@code ws_transport=portable} option: never use container internals
     */
    public static Transports choose(String container, boolean portable) {
        String type = container == null ? "" : container;
        if (portable) {
            return portable();
        }
        if (type.startsWith("org.glassfish.tyrus.")) {
            try {
                Class.forName(TyrusTransport.class.getName(), true, Transports.class.getClassLoader());
                return new Transports(Kind.TYRUS);
            } catch (ClassNotFoundException | LinkageError e) {
                LOG.log(Level.WARNING, "jcable: Tyrus's writer is not visible to the application; frames take the "
                        + "portable path (slower on this server)", e);
                return portable();
            }
        }
        if (type.startsWith("io.undertow.")) {
            return new Transports(Kind.UNDERTOW);
        }
        if (type.startsWith("com.ibm.ws.wsoc.") || type.startsWith("io.openliberty.wsoc.")) {
            return new Transports(Kind.LIBERTY); // all by reflection: nothing to load up front
        }
        return portable();
    }

    /** The portable path only (the {@code ws_transport=portable} option). */
    public static Transports portable() {
        return new Transports(Kind.PORTABLE);
    }

    /** What new connections get now. */
    public Kind kind() {
        return kind;
    }

    /** A transport for a new connection. */
    Transport open(Session socket) {
        Transport portable = new AsyncTransport(socket.getAsyncRemote(), false);
        Kind now = kind;
        if (now == Kind.UNDERTOW) {
            return new AsyncTransport(socket.getAsyncRemote(), true);
        }
        if (now == Kind.TYRUS || now == Kind.LIBERTY) {
            try {
                FrameWriter raw = now == Kind.TYRUS ? TyrusTransport.open(socket) : LibertyTransport.open(socket);
                if (raw != null) {
                    return new GuardedTransport(raw, portable, fallBack);
                }
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                fallBack(e);
            }
        }
        return portable;
    }

    /** The container-specific path failed in a way the portable one will not: use the portable one from now on. */
    void fallBack(Throwable cause) {
        Kind was = kind;
        if (was != Kind.PORTABLE) {
            kind = Kind.PORTABLE;
            LOG.log(Level.WARNING, "jcable: the " + was.label() + " transport failed; new connections use the "
                    + "portable path (frames still go out, at the container's usual cost)", cause);
        }
    }
}
