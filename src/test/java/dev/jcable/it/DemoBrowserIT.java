package dev.jcable.it;

import static dev.jcable.it.Cable.messageFrame;
import static dev.jcable.it.Cable.signedIdentifier;
import static dev.jcable.it.Cable.subscribed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.testsupport.ExternalProgram;
import java.io.File;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The demo page (the test server runs with {@code demo=true}): its endpoints over HTTP, then the page itself in
 * headless Chromium driven by src/test/node/demo-browser.mjs. Chromium is found by {@link ExternalProgram}'s rule
 * (skipped with the reason when missing, a failure with {@code -Djcable.strict=true}). The screenshot goes to
 * target/demo.png; {@code -Djcable.screenshot=docs/demo.png} refreshes the README's picture.
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

    private static void assertJson(HttpResponse<String> response, int status, String body) {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElse("").split(";")[0]);
        assertEquals(body, response.body());
    }

    @Test
    void servesThePageItsBundleAndSignedStreamNames() {
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

        // signed by the server with the test server's secret, exactly as the tests sign independently
        int ttl = 1000; // the test server's presence_ttl (src/test/payara/postboot.txt)
        assertJson(cable.get("demo-api/rooms/lobby-1/stream", null), 200,
                "{\"signed_stream_name\":\"" + Cable.sign("demo/room/lobby-1") + "\",\"presence_ttl_ms\":" + ttl + "}");
        String invalidRoom = error("invalid_room", "room must be 1 to 40 characters of A-Z, a-z, 0-9, '_' and '-'");
        assertJson(cable.get("demo-api/rooms/a%20b/stream", null), 422, invalidRoom);
        assertJson(cable.get("demo-api/rooms/" + "r".repeat(41) + "/stream", null), 422, invalidRoom);
        assertJson(cable.get("demo-api/nothing", null), 404, error("not_found", "Not Found"));
    }

    @Test
    void broadcastsMessagesFromJavaAndRefusesBadOnes() {
        Cable cable = new Cable(deployed);
        String room = "it-" + Cable.stream("r").substring(2);
        String path = "demo-api/rooms/" + room + "/messages";
        try (WsClient client = cable.connect(WsClient.EXT)) {
            String identifier = signedIdentifier("demo/room/" + room);
            subscribed(client, identifier);

            HttpResponse<String> sent = cable.post(path, null,
                    "{\"name\":\"  Ada \\n Lovelace \",\"text\":\"<b>hi</b> \\\"you\\\"\\u0007\\nline 2 \"}");
            assertEquals(201, sent.statusCode(), sent.body());
            Matcher at = Pattern.compile("\"at\":(\\d+)}$").matcher(sent.body());
            assertTrue(at.find(), sent.body());
            String message = "{\"name\":\"Ada Lovelace\",\"text\":\"<b>hi</b> \\\"you\\\"\\nline 2\",\"at\":"
                    + at.group(1) + "}";
            assertEquals(message, sent.body());
            // delivered as JSON, escaped as JSON (the page puts it into the DOM as text)
            client.until(frame -> frame.startsWith(messageFrame(identifier, message).replaceAll("}$", "")));

            // limits count characters (code points), not bytes: 500 × "é" is fine, 501 × "x" is not
            assertEquals(201, cable.post(path, null, "{\"name\":\"Ada\",\"text\":\"" + "\u00e9".repeat(500) + "\"}")
                    .statusCode());
            client.until(frame -> frame.contains("\u00e9\u00e9\u00e9"));
            assertJson(cable.post(path, null, "{\"name\":\"Ada\",\"text\":\"" + "x".repeat(501) + "\"}"), 422,
                    error("text_too_long", "text is too long: 501 characters, at most 500 allowed"));
            assertJson(cable.post(path, null, "{\"name\":\"Ada\",\"text\":\" \\n \"}"), 422,
                    error("text_required", "text is required (1 to 500 characters)"));
            assertJson(cable.post(path, null, "{\"text\":\"hi\"}"), 422,
                    error("name_required", "name is required (1 to 40 characters)"));
            assertJson(cable.post(path, null, "{\"name\":\"" + "n".repeat(41) + "\",\"text\":\"hi\"}"), 422,
                    error("name_too_long", "name is too long: 41 characters, at most 40 allowed"));
            assertJson(cable.post(path, null, "[1]"), 400, error("invalid_json",
                    "the body must be a JSON object {\\\"name\\\":\\\"…\\\",\\\"text\\\":\\\"…\\\"}"));
            assertJson(cable.post("demo-api/rooms/no%20pe/messages", null, "{\"name\":\"A\",\"text\":\"hi\"}"),
                    422, error("invalid_room", "room must be 1 to 40 characters of A-Z, a-z, 0-9, '_' and '-'"));
            client.expectQuiet();
        }
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
