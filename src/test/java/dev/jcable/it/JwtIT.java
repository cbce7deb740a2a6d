package dev.jcable.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jcable.protocol.JsonText;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * JWT identification with the test server's secret (jwt_secret falls back to secret; enforce_jwt is off here,
 * and on in {@link ServerLifecycleIT}).
 */
class JwtIT extends AsClient {

    private static final String UNAUTHORIZED = "{\"type\":\"disconnect\",\"reason\":\"unauthorized\",\"reconnect\":false}";

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Cable.war();
    }

    String token;

    @BeforeEach
    void setUp() {
        token = Cable.jwt(Cable.SECRET, "{\"user_id\":42}", System.currentTimeMillis() / 1000 + 300);
    }

    @Test
    void aValidTokenIsAcceptedFromTheQueryTheHeaderOrTheSubprotocol() {
        try (WsClient query = WsClient.connect(cable.ws("jid=" + token));
             WsClient header = WsClient.connect(cable.ws(null), Map.of("X-JID", token));
             WsClient protocol = WsClient.connect(cable.ws(null), Map.of(), WsClient.EXT, "anycable-token." + token)) {
            assertEquals("{\"type\":\"welcome\",\"sid\":\"" + query.sid() + "\"}", query.welcome());
            assertEquals("{\"type\":\"welcome\",\"sid\":\"" + header.sid() + "\"}", header.welcome());
            assertEquals(WsClient.EXT, protocol.protocol()); // the token entry is never echoed
            Cable.subscribed(query, Cable.signedIdentifier(Cable.stream("jwt")));
        }
    }

    @Test
    void aBadSignatureOrAlgNoneIsUnauthorizedAndClosed() {
        String forged = Cable.jwt("not-the-secret", "{\"user_id\":42}", null);
        String none = Cable.b64url("{\"alg\":\"none\"}") + "." + Cable.b64url("{\"ext\":\"{}\"}") + ".";
        for (String bad : new String[] {forged, none, "garbage"}) {
            try (WsClient client = WsClient.attempt(cable.ws("jid=" + bad), Map.of())) {
                client.expect(UNAUTHORIZED);
                assertEquals("1000 Auth Failed", client.awaitClose());
            }
        }
    }

    @Test
    void anExpiredTokenIsToldSoSoThatTheClientCanRefreshIt() {
        String expired = Cable.jwt(Cable.SECRET, "{\"user_id\":42}", System.currentTimeMillis() / 1000 - 10);
        try (WsClient client = WsClient.attempt(cable.ws(null), Map.of("X-JID", expired))) {
            client.expect("{\"type\":\"disconnect\",\"reason\":\"token_expired\",\"reconnect\":false}");
            assertEquals("1000 Auth Failed", client.awaitClose());
        }
    }

    @Test
    void aRestoreStillNeedsAValidTokenWhenOneIsSent() {
        WsClient first = WsClient.connect(cable.ws("jid=" + token));
        Cable.subscribed(first, Cable.signedIdentifier(Cable.stream("jwt-restore")));
        first.close();
        String forged = Cable.jwt("not-the-secret", "{\"user_id\":1}", null);
        try (WsClient client = WsClient.attempt(cable.ws("sid=" + first.sid() + "&jid=" + forged), Map.of())) {
            client.expect(UNAUTHORIZED);
        }
    }

    /**
     * A second user's token with the first user's sid: a fresh session, never the first user's subscriptions (its
     * private signed stream). The first user's own token still restores them.
     */
    @Test
    void aRestoreWithAnotherUsersTokenGetsAFreshSession() {
        String identifier = Cable.signedIdentifier(Cable.stream("jwt-private"));
        WsClient first = WsClient.connect(cable.ws("jid=" + token));
        Cable.subscribed(first, identifier);
        first.close();
        String other = Cable.jwt(Cable.SECRET, "{\"user_id\":7}", System.currentTimeMillis() / 1000 + 300);
        try (WsClient intruder = WsClient.connect(cable.ws("sid=" + first.sid() + "&jid=" + other))) {
            assertEquals("{\"type\":\"welcome\",\"sid\":\"" + intruder.sid() + "\"}", intruder.welcome());
        }
        try (WsClient owner = WsClient.connect(cable.ws("sid=" + first.sid() + "&jid=" + token))) {
            assertEquals("{\"type\":\"welcome\",\"sid\":\"" + owner.sid() + "\",\"restored\":true,"
                    + "\"restored_ids\":[" + JsonText.quote(identifier) + "]}", owner.welcome());
        }
    }
}
