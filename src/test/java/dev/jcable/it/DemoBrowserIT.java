package dev.jcable.it;

import static dev.jcable.it.Cable.messageFrame;
import static dev.jcable.it.Cable.subscribed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.testsupport.ExternalProgram;
import jakarta.json.Json;
import java.io.File;
import java.net.URLEncoder;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The demo page (the test server runs with {@code demo=true}): its channel, {@code RoomChannel}, over a WebSocket,
 * then the page itself in headless Chromium driven by src/test/node/demo-browser.mjs. Chromium is found by
 * {@link ExternalProgram}'s rule (skipped with the reason when missing, a failure with {@code -Djcable.strict=true}).
 * The screenshot goes to target/demo.png; {@code -Djcable.screenshot=docs/demo.png} refreshes the README's picture.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class DemoBrowserIT {

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Cable.war();
    }

    @ArquillianResource
    URL deployed;

    /** {@code {"error":code,"message":message}}; {@code message} as JSON text (already escaped). */
    private static String error(String code, String message) {
        return "{\"error\":\"" + code + "\",\"message\":\"" + message + "\"}";
    }

    @Test
    void servesThePageAndItsBundle() {
        Cable cable = new Cable(deployed);
        HttpResponse<String> page = cable.get("", null);
        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        assertTrue(page.body().contains("<script type=\"module\" src=\"demo/demo.js\"></script>"), page.body());
        assertEquals(200, cable.get("index.html", null).statusCode());
        assertEquals(200, cable.get("demo/demo.css", null).statusCode());

        HttpResponse<String> bundle = cable.get("demo/vendor/anycable.js", null);
        assertEquals(200, bundle.statusCode());
        assertTrue(bundle.headers().firstValue("Content-Type").orElse("").contains("javascript"),
                bundle.headers().toString());
        assertTrue(bundle.body().contains("createCable"), "the bundle exports createCable");
        assertTrue(cable.get("demo/vendor/anycable.licenses.txt", null).body().contains("@anycable/web"));
    }

    @Test
    void roomChannelJoinsFromTheServerBroadcastsAndRefusesBadInput() {
        Cable cable = new Cable(deployed);
        String room = "it-" + Cable.stream("r").substring(2);
        String identifier = "{\"channel\":\"RoomChannel\",\"room\":\"" + room + "\"}";
        String name = URLEncoder.encode("  Ada \n Lovelace ", StandardCharsets.UTF_8);
        try (WsClient client = WsClient.connect(cable.ws("uid=ada-1&name=" + name), WsClient.EXT)) {
            subscribed(client, identifier);
            client.expect(messageFrame(identifier, "{\"presence_ttl_ms\":1000}")); // the test server's presence_ttl
            client.expect(Cable.presenceFrame(identifier,
                    "{\"type\":\"join\",\"id\":\"ada-1\",\"info\":{\"name\":\"Ada Lovelace\"},\"seq\":1}"));

            client.send(speak(identifier, "<b>hi</b> \"you\"\u0007\nline 2 "));
            // delivered as JSON, escaped as JSON (the page puts it into the DOM as text)
            client.expectDurable(identifier, "{\"name\":\"Ada Lovelace\",\"text\":\"<b>hi</b> \\\"you\\\"\\nline 2\"}",
                    "demo/room/" + room, 1);

            // limits count characters (code points), not bytes: 500 × "é" is fine, 501 × "x" is not
            client.send(speak(identifier, "\u00e9".repeat(500)));
            client.until(frame -> frame.contains("\u00e9\u00e9\u00e9"));
            client.send(speak(identifier, "x".repeat(501)));
            client.expect(messageFrame(identifier,
                    error("text_too_long", "text is too long: 501 characters, at most 500 allowed")));
            client.send(speak(identifier, " \n "));
            client.expect(messageFrame(identifier, error("text_required", "text is required (1 to 500 characters)")));

            String badRoom = "{\"channel\":\"RoomChannel\",\"room\":\"no pe\"}";
            client.send(Cable.subscribe(badRoom));
            client.expect(Cable.reject(badRoom));
            WsClient.expectQuiet(cable, "demo/room/" + room, client); // the refused texts broadcast nothing
        }
        try (WsClient nameless = WsClient.connect(cable.ws("uid=nobody"), WsClient.EXT)) {
            nameless.send(Cable.subscribe(identifier));
            nameless.expect(Cable.reject(identifier));
        }
    }

    private static String speak(String identifier, String text) {
        String data = Json.createObjectBuilder().add("action", "speak").add("text", text).build().toString();
        return Cable.command("message", identifier, "\"data\":" + Json.createValue(data));
    }

    @Test
    void twoPeopleInHeadlessChromiumSeeEachOtherTalkAndLeaveAfterTheTtl() throws Exception {
        Path chromium = ExternalProgram.CHROMIUM.require();
        Cable cable = new Cable(deployed);
        File basedir = new File(System.getProperty("basedir", "."));
        File screenshot = new File(System.getProperty("jcable.screenshot", "target/demo.png"));
        if (!screenshot.isAbsolute()) {
            screenshot = new File(basedir, screenshot.getPath());
        }
        Files.deleteIfExists(screenshot.toPath());
        File dir = new File(System.getProperty("node.test.dir", "src/test/node"));
        Process node = new ProcessBuilder("node", "demo-browser.mjs", cable.http().toString(),
                screenshot.getAbsolutePath(), "1000", chromium.toString())
                .directory(dir).redirectErrorStream(true).start();
        boolean finished = node.waitFor(150, TimeUnit.SECONDS);
        if (!finished) {
            node.destroyForcibly();
        }
        String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        System.out.println(output);
        assertTrue(finished, "node did not finish:\n" + output);
        assertEquals(0, node.exitValue(), output);
        assertTrue(output.contains("demo: 11 passed, 0 failed"), output);
        assertTrue(screenshot.length() > 10_000, "no screenshot at " + screenshot);
    }
}
