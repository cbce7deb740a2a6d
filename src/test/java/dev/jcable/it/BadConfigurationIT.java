package dev.jcable.it;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A value jcable cannot use fails the deployment itself, on every server, instead of a server that looks up and
 * misbehaves later. The WAR is the real one with one packaged default spoiled ({@code history_limit=abc}); the test
 * configuration of each profile sets no other value for that option.
 *
 * <p>Not run on Payara Micro: its Arquillian adapter does not report a failed deployment (the server logs it and the
 * adapter carries on); {@link ServerLifecycleIT} checks the same there on its own Payara Micro process.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class BadConfigurationIT {

    private static final String DEPLOYMENT = "bad-config";

    @Deployment(name = DEPLOYMENT, managed = false, testable = false)
    static WebArchive deployment() {
        WebArchive war = Cable.war();
        String webXml = read(war.get("WEB-INF/web.xml").getAsset().openStream());
        String spoiled = webXml.replace(
                "<env-entry-name>anycable/history_limit</env-entry-name>\n"
                        + "        <env-entry-type>java.lang.String</env-entry-type>\n"
                        + "        <env-entry-value>100</env-entry-value>",
                "<env-entry-name>anycable/history_limit</env-entry-name>\n"
                        + "        <env-entry-type>java.lang.String</env-entry-type>\n"
                        + "        <env-entry-value>abc</env-entry-value>");
        if (spoiled.equals(webXml)) {
            throw new IllegalStateException("web.xml no longer declares history_limit as this test expects");
        }
        return war.setWebXML(new StringAsset(spoiled));
    }

    @ArquillianResource
    Deployer deployer;

    @Test
    void anUnusableValueFailsTheDeployment() throws IOException {
        try {
            assertThrows(Exception.class, () -> deployer.deploy(DEPLOYMENT));
            // the adapters differ in how much of the cause they pass on (Liberty's: none), the server log has it
            String log = Files.readString(Path.of(System.getProperty("jcable.server.log")));
            assertTrue(log.contains("jcable: invalid value 'abc' for option 'history_limit' (from web.xml)"),
                    "the server log names the option");
        } finally {
            try {
                deployer.undeploy(DEPLOYMENT);
            } catch (RuntimeException alreadyGone) {
                // nothing was deployed: the expected outcome
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
