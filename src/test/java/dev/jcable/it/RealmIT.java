package dev.jcable.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.it.app.RealmChannel;
import dev.jcable.it.app.RealmIdentifier;
import dev.jcable.it.app.RealmLobby;
import dev.jcable.it.app.RealmSession;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;

/**
 * The container's login identifies connections, on each server's own realm with container-managed users, set up by
 * the test build (docs/deploy.md, "The container's login"): Payara Micro's {@code file} realm (src/test/payara/
 * postboot.txt), WildFly's {@code ApplicationRealm} (add-user.sh, pom.xml), Open Liberty's {@code basicRegistry}
 * (src/test/liberty/server.xml). Users: alice (member, admin), bob (member), carol (guest).
 *
 * <p>The test WAR adds BASIC auth on {@code /cable} (and on a page that fills the HTTP session), {@link
 * RealmIdentifier} reading {@code ConnectionRequest#principal / isUserInRole / sessionAttribute}, and {@link
 * RealmChannel} with {@code @RolesAllowed} on the class and on one action.
 */
class RealmIT extends AsClient {

    static final String ROLES = "{\"channel\":\"RealmChannel\"}";
    static final String LOBBY = "{\"channel\":\"RealmLobby\"}";

    @Deployment(testable = false)
    static WebArchive deployment() throws Exception {
        WebArchive war = Cable.war().addClasses(RealmIdentifier.class, RealmChannel.class, RealmLobby.class,
                RealmSession.class);
        String webXml;
        try (InputStream in = war.get("WEB-INF/web.xml").getAsset().openStream()) {
            webXml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        // any of the application's roles may open /cable; which channel and action it may use is jcable's business
        String login = """
                    <security-constraint>
                        <web-resource-collection>
                            <web-resource-name>cable</web-resource-name>
                            <url-pattern>/cable</url-pattern>
                            <url-pattern>/realm-session</url-pattern>
                        </web-resource-collection>
                        <auth-constraint>
                            <role-name>member</role-name>
                            <role-name>admin</role-name>
                            <role-name>guest</role-name>
                        </auth-constraint>
                    </security-constraint>
                    <login-config>
                        <auth-method>BASIC</auth-method>
                    </login-config>
                    <security-role><role-name>member</role-name></security-role>
                    <security-role><role-name>admin</role-name></security-role>
                    <security-role><role-name>guest</role-name></security-role>
                </web-app>""";
        war.delete("WEB-INF/web.xml");
        return war.setWebXML(new StringAsset(webXml.replace("</web-app>", login)));
    }

    static Map<String, String> basic(String user, String password) {
        return Map.of("Authorization", "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }

    static final Map<String, String> ALICE = basic("alice", "alice-Pw-24");
    static final Map<String, String> BOB = basic("bob", "bob-Pw-24");
    static final Map<String, String> CAROL = basic("carol", "carol-Pw-24");

    private static String perform(String identifier, String dataJson) {
        return Cable.command("message", identifier, "\"data\":" + Cable.quoted(dataJson));
    }

    private static String hello(String identifiers) {
        return "{\"hello\":" + identifiers + "}";
    }

    @Test
    void theHandshakeNeedsTheContainersLogin() {
        try (WsClient none = WsClient.raw(cable.http(), WsClient.EXT, Map.of(), 0)) {
            assertEquals(401, none.status(), none.headers() + " " + none.body());
            assertTrue(none.headers().getOrDefault("www-authenticate", "").startsWith("Basic"), none.headers().toString());
        }
        try (WsClient wrong = WsClient.raw(cable.http(), WsClient.EXT, basic("alice", "wrong-Pw-24"), 0)) {
            assertEquals(401, wrong.status(), wrong.headers() + " " + wrong.body());
        }
    }

    @Test
    void aUserWithTheClassRoleSubscribesAndAnActionNeedingAnotherIsRefusedWithAnErrorFrame() {
        try (WsClient bob = WsClient.connect(cable.ws(null), BOB)) {
            Cable.subscribed(bob, ROLES);
            bob.expect(Cable.messageFrame(ROLES,
                    hello("{\"user\":\"bob\",\"admin\":false,\"member\":true,\"guest\":false}")));
            bob.send(perform(ROLES, "{\"action\":\"purge\"}"));
            bob.expect("{\"type\":\"error\",\"identifier\":" + Cable.quoted(ROLES) + ",\"reason\":\"forbidden\","
                    + "\"message\":\"action purge of RealmChannel needs a role the connection lacks (@RolesAllowed)\"}");
            bob.send(perform(ROLES, "{\"action\":\"echo\",\"text\":\"still here\"}")); // the subscription stays
            bob.expect(Cable.messageFrame(ROLES, "{\"echo\":\"still here\"}"));
        }
    }

    @Test
    void theActionsRoleLetsItsHolderPerform() {
        try (WsClient alice = WsClient.connect(cable.ws(null), ALICE)) {
            Cable.subscribed(alice, ROLES);
            alice.expect(Cable.messageFrame(ROLES,
                    hello("{\"user\":\"alice\",\"admin\":true,\"member\":true,\"guest\":false}")));
            alice.send(perform(ROLES, "{\"action\":\"purge\"}"));
            alice.expect(Cable.messageFrame(ROLES, "{\"purged\":true}"));
        }
    }

    @Test
    void aUserWithoutTheClassRoleIsRejectedAndKeepsItsConnection() {
        try (WsClient carol = WsClient.connect(cable.ws(null), CAROL)) {
            carol.send(Cable.subscribe(ROLES));
            carol.expect(Cable.reject(ROLES));
            Cable.subscribed(carol, LOBBY); // the connection carries on, and its role came from @DeclareRoles
            carol.expect(Cable.messageFrame(LOBBY,
                    hello("{\"user\":\"carol\",\"admin\":false,\"member\":false,\"guest\":true}")));
        }
    }

    @Test
    void theHttpSessionOfTheHandshakeIsShownAsItWas() {
        HttpResponse<String> page = cable.get("realm-session?cart=3-apples", ALICE.get("Authorization"));
        assertEquals(200, page.statusCode(), page.body());
        assertEquals("{\"user\":\"alice\"}", page.body());
        String cookie = page.headers().allValues("set-cookie").stream().filter(c -> c.startsWith("JSESSIONID="))
                .map(c -> c.split(";", 2)[0]).findFirst()
                .orElseThrow(() -> new AssertionError("no session cookie: " + page.headers().map()));
        Map<String, String> headers = Map.of("Authorization", ALICE.get("Authorization"), "Cookie", cookie);
        try (WsClient alice = WsClient.connect(cable.ws(null), headers)) {
            Cable.subscribed(alice, LOBBY);
            alice.expect(Cable.messageFrame(LOBBY, hello(
                    "{\"user\":\"alice\",\"admin\":true,\"member\":true,\"guest\":false,\"cart\":\"3-apples\"}")));
        }
    }
}
