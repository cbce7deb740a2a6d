package dev.jcable.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jcable.api.CableChannel;
import dev.jcable.api.ChannelContext;
import dev.jcable.channels.ChannelType;
import dev.jcable.channels.Channels;
import dev.jcable.config.Option;
import dev.jcable.identity.ContainerLogin;
import dev.jcable.identity.HandshakeHeaders;
import dev.jcable.protocol.JsonText;
import dev.jcable.session.OutboxTest;
import jakarta.annotation.security.DeclareRoles;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.security.Principal;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The container's login through a real node: the ConnectionRequest shows the handshake's user, roles and session
 * attributes; {@code @RolesAllowed} on a channel refuses a subscription, on an action answers an error frame.
 */
class ContainerLoginTest {

    private static final String SECURE = "{\"channel\":\"SecureChannel\"}";
    private static final String Q = JsonText.quote(SECURE);

    @CableChannel("SecureChannel")
    @RolesAllowed({"member", "admin"})
    @DeclareRoles("auditor")
    public static class Secure {
        public void subscribed(ChannelContext channel) {
            channel.transmit("{\"hello\":" + JsonText.quote(channel.identifiers().getString("user")) + "}");
        }

        @RolesAllowed("admin")
        public void purge(ChannelContext channel, JsonObject data) {
            channel.transmit("{\"purged\":true}");
        }

        @PermitAll
        public void ping(ChannelContext channel, JsonObject data) {
            channel.transmit("{\"pong\":true}");
        }

        public void speak(ChannelContext channel, JsonObject data) {
            channel.transmit("{\"spoke\":true}");
        }
    }

    private final NodeHarness harness = new NodeHarness(Map.of(Option.PING_INTERVAL, "0"),
            Channels.of(List.of(ChannelType.of(Secure.class, new Secure(), Runnable::run))),
            request -> Optional.of(Json.createObjectBuilder()
                    .add("user", request.principal().map(Principal::getName).orElse("anonymous"))
                    .add("admin", request.isUserInRole("admin"))
                    .add("auditor", request.isUserInRole("auditor"))
                    .add("cart", String.valueOf(request.sessionAttribute("cart")))
                    .build()));

    @AfterEach
    void close() {
        harness.close();
    }

    /** A connection whose handshake the container authenticated as {@code user} with {@code roles}. */
    private OutboxTest.FakeSocket login(String user, Set<String> roles) {
        OutboxTest.FakeSocket socket = new OutboxTest.FakeSocket(true, "actioncable-v1-ext-json");
        Principal principal = user == null ? null : () -> user;
        socket.userProperties.put(HandshakeHeaders.KEY, new HandshakeHeaders(Map.of(),
                new ContainerLogin(principal, roles, Map.of("cart", "3 items"))));
        harness.node.open(socket.session);
        return socket;
    }

    private String last(OutboxTest.FakeSocket socket) {
        return socket.frames.get(socket.frames.size() - 1);
    }

    private void send(OutboxTest.FakeSocket socket, String frame) {
        harness.node.receive(socket.session, frame, true);
    }

    private static String perform(String action) {
        return "{\"command\":\"message\",\"identifier\":" + Q + ",\"data\":"
                + JsonText.quote("{\"action\":\"" + action + "\"}") + "}";
    }

    @Test
    void theConnectionRequestShowsTheLoginRolesTheApplicationNamesAndSessionAttributes() {
        assertEquals(Set.of("member", "admin", "auditor"), harness.node.knownRoles());
        OutboxTest.FakeSocket bob = login("bob", Set.of("member", "auditor"));
        send(bob, "{\"command\":\"subscribe\",\"identifier\":" + Q + "}");
        assertEquals(List.of("{\"type\":\"welcome\",\"sid\":\"" + harness.session(bob).sid() + "\"}",
                "{\"type\":\"confirm_subscription\",\"identifier\":" + Q + "}",
                "{\"identifier\":" + Q + ",\"message\":{\"hello\":\"bob\"}}"), bob.frames.subList(0, 3));
        assertEquals("{\"user\":\"bob\",\"admin\":false,\"auditor\":true,\"cart\":\"3 items\"}",
                harness.session(bob).identifiers());
    }

    @Test
    void aSubscriptionWithoutTheClassRoleIsRejected() {
        OutboxTest.FakeSocket guest = login("guest", Set.of());
        send(guest, "{\"command\":\"subscribe\",\"identifier\":" + Q + "}");
        assertEquals("{\"type\":\"reject_subscription\",\"identifier\":" + Q + "}", last(guest));
        OutboxTest.FakeSocket anonymous = login(null, Set.of());
        send(anonymous, "{\"command\":\"subscribe\",\"identifier\":" + Q + "}");
        assertEquals("{\"type\":\"reject_subscription\",\"identifier\":" + Q + "}", last(anonymous));
    }

    @Test
    void anActionWithoutItsRoleAnswersAnErrorFrameAndTheSubscriptionStays() {
        OutboxTest.FakeSocket member = login("alice", Set.of("member"));
        send(member, "{\"command\":\"subscribe\",\"identifier\":" + Q + "}");
        send(member, perform("purge"));
        assertEquals("{\"type\":\"error\",\"identifier\":" + Q + ",\"reason\":\"forbidden\",\"message\":\"action purge"
                + " of SecureChannel needs a role the connection lacks (@RolesAllowed)\"}", last(member));
        send(member, perform("speak")); // the class's roles
        assertEquals("{\"identifier\":" + Q + ",\"message\":{\"spoke\":true}}", last(member));
        send(member, perform("ping")); // @PermitAll
        assertEquals("{\"identifier\":" + Q + ",\"message\":{\"pong\":true}}", last(member));
        OutboxTest.FakeSocket admin = login("root", Set.of("admin"));
        send(admin, "{\"command\":\"subscribe\",\"identifier\":" + Q + "}");
        send(admin, perform("purge"));
        assertEquals("{\"identifier\":" + Q + ",\"message\":{\"purged\":true}}", last(admin));
    }
}
