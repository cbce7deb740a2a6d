package dev.jcable.node;

import dev.jcable.api.ConnectionIdentifier;
import dev.jcable.identity.Authenticator;
import dev.jcable.identity.HandshakeRequest;
import dev.jcable.session.CableSession;
import jakarta.json.JsonObject;
import jakarta.websocket.CloseReason;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Who a new connection is: a presented token is verified first ({@link Authenticator}), then the application's
 * {@link ConnectionIdentifier}, if it has one, decides the identifiers. A refused connection is told so and closed.
 */
final class Admission {

    private static final Logger LOG = Logger.getLogger(Admission.class.getName());

    private final Authenticator authenticator;
    private final ConnectionIdentifier identifier;

    /** @param identifier the application's, or null */
    Admission(Authenticator authenticator, ConnectionIdentifier identifier) {
        this.authenticator = authenticator;
        this.identifier = identifier;
    }

    /** Whether the identifiers come from the application (a restored session then keeps the fresh ones). */
    boolean identifiesItself() {
        return identifier != null;
    }

    /**
     * The connection's identifiers (JSON text), or null when it was refused: {@code unauthorized} /
     * {@code token_expired} for a bad token (or none with {@code enforce_jwt}) or the application's refusal; closed
     * with 1011 {@code Auth Error} and no frame when the application's identifier threw, as anycable-go answers a
     * failed authentication RPC.
     */
    String admit(CableSession session, String token, HandshakeRequest.Parts handshake) {
        Authenticator.Decision decision = authenticator.authenticate(token, session.sid());
        if (!decision.accepted()) {
            LOG.fine(() -> "jcable: refused connection " + session.sid() + ": " + decision.detail());
            session.disconnect(decision.reason(), false, CloseReason.CloseCodes.NORMAL_CLOSURE, "Auth Failed");
            return null;
        }
        if (identifier == null) {
            return decision.identifiers();
        }
        Optional<JsonObject> identified;
        try {
            identified = identifier.identify(handshake.request(session.sid(),
                    token == null ? null : decision.identifiers()));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "jcable: the ConnectionIdentifier threw for connection " + session.sid()
                    + "; closing it (1011 Auth Error)", e);
            session.closeNow(new CloseReason(CloseReason.CloseCodes.UNEXPECTED_CONDITION, "Auth Error"));
            return null;
        }
        if (identified == null || identified.isEmpty()) {
            LOG.fine(() -> "jcable: the ConnectionIdentifier refused connection " + session.sid());
            session.disconnect("unauthorized", false, CloseReason.CloseCodes.NORMAL_CLOSURE, "Auth Failed");
            return null;
        }
        return identified.get().toString();
    }
}
