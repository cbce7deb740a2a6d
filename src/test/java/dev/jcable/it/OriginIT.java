package dev.jcable.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;

/**
 * {@code allowed_origins} on a real server: a page of another origin is refused with 403 before the upgrade. The WAR
 * is the real one with its packaged default changed (the test configurations set no other value for the option).
 */
class OriginIT extends AsClient {

    @Deployment(testable = false)
    static WebArchive deployment() {
        WebArchive war = Cable.war();
        String webXml = read(war.get("WEB-INF/web.xml").getAsset().openStream());
        String restricted = webXml.replace(
                "<env-entry-name>anycable/allowed_origins</env-entry-name>\n"
                        + "        <env-entry-type>java.lang.String</env-entry-type>\n"
                        + "        <env-entry-value>*</env-entry-value>",
                "<env-entry-name>anycable/allowed_origins</env-entry-name>\n"
                        + "        <env-entry-type>java.lang.String</env-entry-type>\n"
                        + "        <env-entry-value>trusted.example, *.good.example</env-entry-value>");
        if (restricted.equals(webXml)) {
            throw new IllegalStateException("web.xml no longer declares allowed_origins as this test expects");
        }
        return war.setWebXML(new StringAsset(restricted));
    }

    private WsClient handshake(String origin) {
        return WsClient.raw(cable.http(), WsClient.EXT, origin == null ? Map.of() : Map.of("Origin", origin), 0);
    }

    @Test
    void aPageOfAnotherOriginIsRefusedWith403AndAJsonBody() {
        try (WsClient refused = handshake("https://evil.example")) {
            assertEquals(403, refused.status());
            assertTrue(refused.headers().get("content-type").startsWith("application/json"),
                    refused.headers().toString());
            assertEquals("{\"error\":\"forbidden_origin\",\"message\":\"pages of origin https://evil.example may not"
                    + " connect here (allowed_origins)\"}", refused.body());
        }
    }

    @Test
    void listedOriginsAndClientsWithoutAnOriginConnect() {
        for (String origin : new String[] {"https://trusted.example", "https://app.good.example", null}) {
            try (WsClient client = handshake(origin)) {
                assertEquals(101, client.status(), String.valueOf(origin));
                assertTrue(client.next().startsWith("{\"type\":\"welcome\",\"sid\":\""), String.valueOf(origin));
            }
        }
    }

    private static String read(InputStream in) {
        try (in; ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            in.transferTo(out);
            return out.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
