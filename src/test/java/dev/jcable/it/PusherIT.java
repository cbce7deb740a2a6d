package dev.jcable.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;

/**
 * Pusher mode with the real libraries from npm (src/test/node/pusher.mjs): pusher-js and Laravel Echo as clients,
 * the {@code pusher} server SDK signing their channels, pointed at the deployment by host and port.
 */
class PusherIT extends AsClient {

    static final String APP_ID = "jcable-it";
    static final String APP_KEY = "it-key";
    static final String APP_SECRET = "it-pusher-secret";
    /** Short, so that the last connection's member_removed comes within the test. */
    static final String PRESENCE_TTL_SECONDS = "2";

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Cable.war(Map.of("pusher_app_id", APP_ID, "pusher_app_key", APP_KEY, "pusher_secret", APP_SECRET,
                "presence_ttl", PRESENCE_TTL_SECONDS));
    }

    @Test
    void pusherJsAndEchoSubscribeSignWhisperAndSeeOneMemberPerUser() throws Exception {
        String output = ClientCompatIT.node("pusher.mjs", cable.http().getHost(),
                String.valueOf(cable.http().getPort()), APP_ID, APP_KEY, APP_SECRET, Cable.API_KEY,
                Cable.BROADCAST_KEY, String.valueOf(Long.parseLong(PRESENCE_TTL_SECONDS) * 1000));
        assertTrue(output.contains("pusher: 12 passed, 0 failed"), output);
    }

    @Test
    void theServerSdkTriggersBatchesAndQueriesChannelsSignedAndIsRefusedUnsigned() throws Exception {
        String output = ClientCompatIT.node("pusher-api.mjs", cable.http().getHost(),
                String.valueOf(cable.http().getPort()), APP_ID, APP_KEY, APP_SECRET);
        assertTrue(output.contains("pusher-api: 7 passed, 0 failed"), output);
    }
}
