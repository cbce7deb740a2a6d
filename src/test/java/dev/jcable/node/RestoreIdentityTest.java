package dev.jcable.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.config.Option;
import dev.jcable.testsupport.Signing;
import dev.jcable.protocol.JsonText;
import dev.jcable.session.OutboxTest;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A session is restored ({@code ?sid=}) only for the same identity; another one gets a fresh session. */
class RestoreIdentityTest {

    static final String EXT = "actioncable-v1-ext-json";
    static final String LOBBY = "{\"channel\":\"$pubsub\",\"stream_name\":\"lobby\"}";

    final NodeHarness harness = new NodeHarness(Map.of(Option.PING_INTERVAL, "0", Option.PUBLIC_STREAMS, "true"));

    @AfterEach
    void stop() {
        harness.close();
    }

    static String token(String identifiers) {
        return Signing.jwt("s3Krit", identifiers, System.currentTimeMillis() / 1000 + 300);
    }

    /** Opens with a token (or none), subscribes to the lobby, and closes: the session is cached. */
    String cachedSession(String token) {
        OutboxTest.FakeSocket first = harness.open(EXT, token == null ? Map.of() : Map.of("jid", token));
        harness.node.receive(first.session, "{\"command\":\"subscribe\",\"identifier\":" + JsonText.quote(LOBBY)
                + "}", true);
        String sid = harness.session(first).sid();
        harness.node.close(first.session);
        return sid;
    }

    String welcome(Map<String, String> query) {
        OutboxTest.FakeSocket socket = harness.open(EXT, query);
        return socket.frames.get(0);
    }

    String fresh(String welcome) {
        String sid = welcome.substring(welcome.indexOf("\"sid\":\"") + 7, welcome.lastIndexOf('"'));
        return "{\"type\":\"welcome\",\"sid\":\"" + sid + "\"}";
    }

    @Test
    void anotherUsersTokenGetsAFreshSession() {
        String sid = cachedSession(token("{\"user_id\":42}"));
        String welcome = welcome(Map.of("sid", sid, "jid", token("{\"user_id\":7}")));
        assertEquals(fresh(welcome), welcome);
        assertEquals(0, harness.hub().subscribers("lobby"), "the old subscriptions were not handed over");
    }

    @Test
    void noTokenCannotRestoreAUsersSession() {
        String sid = cachedSession(token("{\"user_id\":42}"));
        String welcome = welcome(Map.of("sid", sid));
        assertEquals(fresh(welcome), welcome);
        assertEquals(0, harness.hub().subscribers("lobby"));
    }

    @Test
    void theSameUsersTokenRestores() {
        String sid = cachedSession(token("{\"user_id\":42}"));
        String welcome = welcome(Map.of("sid", sid, "jid", token("{\"user_id\":42}")));
        assertTrue(welcome.endsWith(",\"restored\":true,\"restored_ids\":[" + JsonText.quote(LOBBY) + "]}"), welcome);
        assertEquals(1, harness.hub().subscribers("lobby"));
    }

    @Test
    void anAnonymousSessionIsRestoredByAnAnonymousConnection() {
        String sid = cachedSession(null);
        String welcome = welcome(Map.of("sid", sid));
        assertTrue(welcome.endsWith(",\"restored\":true,\"restored_ids\":[" + JsonText.quote(LOBBY) + "]}"), welcome);
        assertEquals(1, harness.hub().subscribers("lobby"));
    }
}
