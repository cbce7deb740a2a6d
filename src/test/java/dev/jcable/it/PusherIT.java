package dev.jcable.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Pusher mode with the real libraries from npm (src/test/node/pusher.mjs): pusher-js and Laravel Echo as clients,
 * the {@code pusher} server SDK signing their channels, pointed at the deployment by host and port.
 */
class PusherIT extends AsClient {

    static final String APP_ID = "jcable-it";
    static final String APP_KEY = "it-key";
    static final String APP_SECRET = "it-pusher-secret";
    /**
     * The node's Pusher connection quota here: above what any one script holds at once plus what the one before it
     * may still be closing (pusher.mjs's quota step fills it, then waits for every connection to close).
     */
    static final String MAX_CONNECTIONS = "24";
    /** The suite's presence_ttl, bound in JNDI on every server (payara/postboot.txt, wildfly, liberty). */
    static final String PRESENCE_TTL_SECONDS = "1";

    /** Receives Pusher's webhooks: every POST with its headers, checked later by the pusher SDK. */
    static PusherHooks hooks;

    @Deployment(testable = false)
    static WebArchive deployment() throws IOException {
        hooks = new PusherHooks();
        WebArchive war = Cable.war(Map.of("pusher_app_id", APP_ID, "pusher_app_key", APP_KEY,
                "pusher_webhook_url", hooks.url(), "pusher_max_connections", MAX_CONNECTIONS));
        return withSecret(war, "pusher_secret", APP_SECRET);
    }

    /** Secrets have no packaged default (WebXmlDefaultsTest): this deployment's own env-entry gives it one. */
    static WebArchive withSecret(WebArchive war, String option, String value) throws IOException {
        String webXml;
        try (java.io.InputStream in = war.get("WEB-INF/web.xml").getAsset().openStream()) {
            webXml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String entry = "    <env-entry>\n        <env-entry-name>anycable/" + option + "</env-entry-name>\n"
                + "        <env-entry-type>java.lang.String</env-entry-type>\n        <env-entry-value>" + value
                + "</env-entry-value>\n    </env-entry>\n";
        int end = webXml.lastIndexOf("</web-app>");
        return war.setWebXML(new org.jboss.shrinkwrap.api.asset.StringAsset(webXml.substring(0, end) + entry
                + webXml.substring(end)));
    }

    @AfterAll
    static void stopHooks() {
        if (hooks != null) {
            hooks.close();
        }
    }

    @Test
    void pusherJsAndEchoSubscribeSignWhisperAndSeeOneMemberPerUser() throws Exception {
        String output = ClientCompatIT.node("pusher.mjs", cable.http().getHost(),
                String.valueOf(cable.http().getPort()), APP_ID, APP_KEY, APP_SECRET, Cable.API_KEY,
                Cable.BROADCAST_KEY, String.valueOf(Long.parseLong(PRESENCE_TTL_SECONDS) * 1000), MAX_CONNECTIONS);
        assertTrue(output.contains("pusher: 14 passed, 0 failed"), output);
    }

    @Test
    void theServerSdkTriggersBatchesAndQueriesChannelsSignedAndIsRefusedUnsigned() throws Exception {
        String output = ClientCompatIT.node("pusher-api.mjs", cable.http().getHost(),
                String.valueOf(cable.http().getPort()), APP_ID, APP_KEY, APP_SECRET);
        assertTrue(output.contains("pusher-api: 7 passed, 0 failed"), output);
    }

    @Test
    void webhooksInPusherFormatPassTheSdksValidation() throws Exception {
        webhooks("presence-hooks-" + UUID.randomUUID().toString().substring(0, 8), List.of("event channel_occupied",
                "event member_added w1", "event member_added w2", "event client_event w2 client-wave {\"hi\":1}",
                "event member_removed w2", "event member_removed w1", "event channel_vacated"));
    }

    /** A private channel is occupied by its first subscriber and vacated after its last, as any non-presence one. */
    @Test
    void aPrivateChannelsWebhooksAreItsFirstSubscriberInAndLastOut() throws Exception {
        webhooks("private-hooks-" + UUID.randomUUID().toString().substring(0, 8), List.of("event channel_occupied",
                "event client_event client-wave {\"hi\":1}", "event channel_vacated"));
    }

    private void webhooks(String channel, List<String> expected) throws Exception {
        String driven = ClientCompatIT.node("pusher-hooks.mjs", "drive", cable.http().getHost(),
                String.valueOf(cable.http().getPort()), APP_ID, APP_KEY, APP_SECRET, channel);
        assertTrue(driven.contains("pusher-hooks: 1 passed, 0 failed"), driven);
        long until = System.currentTimeMillis() + 20_000;
        String output;
        do {
            Path file = Files.createTempFile("pusher-hooks", ".json");
            Files.writeString(file, "[" + String.join(",", hooks.posts()) + "]");
            output = ClientCompatIT.node("pusher-hooks.mjs", "validate", file.toString(), APP_ID, APP_KEY, APP_SECRET,
                    channel);
            Files.delete(file);
        } while (!output.contains("event channel_vacated") && System.currentTimeMillis() < until);
        assertTrue(output.contains("pusher-hooks: 1 passed, 0 failed"), output);
        assertEquals(expected, output.lines().filter(line -> line.startsWith("event ")).toList(), output);
    }
}
