package dev.jcable.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URL;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.OperateOnDeployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Undeploy and redeploy on a running server: open connections are told {@code server_restart} and closed with 1001,
 * no thread is left running jcable code, and the next deployment of the same WAR works as the first did (its own
 * scheduler tasks, pings and presence expiry). The steps are ordered test methods because a deployment's URL can
 * only be injected once it is deployed. (Payara Micro's adapter gives each deployment a JVM of its own, so there an
 * undeploy is that JVM's shutdown and the thread probe is skipped: {@link PayaraRedeployIT} undeploys in one running
 * Payara JVM instead.)
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedeployIT {

    private static final String DEPLOYMENT = "jcable";
    private static final String PROBE = "probe";
    private static WsClient ext;
    private static WsClient plain;
    private static URL server;

    @Deployment(name = DEPLOYMENT, managed = false, testable = false)
    static WebArchive deployment() {
        return Cable.war();
    }

    /**
     * A second application on the same server that reports threads running jcable code (context root /probe).
     * Deployed only after jcable is gone, and only where deployments share a JVM: Payara Micro's adapter starts a
     * JVM per deployment and ends it on undeploy, so nothing of an undeployed jcable can linger there.
     */
    @Deployment(name = PROBE, managed = false, testable = false)
    static WebArchive probe() {
        return ThreadProbe.war();
    }

    @ArquillianResource
    Deployer deployer;

    @Test
    @Order(1)
    void deploy() {
        deployer.deploy(DEPLOYMENT);
    }

    @Test
    @Order(2)
    void connect(@ArquillianResource @OperateOnDeployment(DEPLOYMENT) URL url) {
        server = url;
        Cable cable = new Cable(url);
        ext = cable.connect(WsClient.EXT);
        plain = cable.connect(WsClient.PLAIN);
        Cable.subscribed(ext, Cable.signedIdentifier(Cable.stream("redeploy")));
    }

    @Test
    @Order(3)
    void undeployTellsEveryConnectionServerRestart() {
        deployer.undeploy(DEPLOYMENT);
        for (WsClient client : new WsClient[] {ext, plain}) {
            client.expect("{\"type\":\"disconnect\",\"reason\":\"server_restart\",\"reconnect\":true}");
            assertEquals("1001 Server restart", client.awaitClose());
        }
    }

    @Test
    @Order(4)
    void noThreadRunsJcableCodeOnceUndeployed() throws Exception {
        ThreadProbe.assertNoThreadLeft(deployer, PROBE, server.toURI());
    }

    @Test
    @Order(5)
    void redeploy() {
        deployer.deploy(DEPLOYMENT);
    }

    @Test
    @Order(6)
    void theNewDeploymentWorksAsTheFirstDid(@ArquillianResource @OperateOnDeployment(DEPLOYMENT) URL url) {
        Cable cable = new Cable(url);
        String identifier = Cable.signedIdentifier(Cable.stream("redeployed"));
        try (WsClient viewer = cable.connect(); WsClient member = WsClient.connect(cable.ws("pi=1"))) {
            Cable.subscribed(viewer, identifier);
            Cable.subscribed(member, identifier);
            member.nextPing(); // its pinger runs
            member.send(Cable.command("join", identifier, "\"presence\":{\"id\":\"m\"}"));
            viewer.expect(Cable.presenceFrame(identifier, "{\"type\":\"join\",\"id\":\"m\",\"seq\":1}"));
            member.abort();
            viewer.expect(Cable.presenceFrame(identifier, "{\"type\":\"leave\",\"id\":\"m\",\"seq\":2}")); // its expiry runs
            assertEquals(201, cable.broadcast("{\"stream\":\"x\",\"data\":\"1\"}").statusCode());
        }
    }

    @Test
    @Order(7)
    void undeployAgain() {
        deployer.undeploy(DEPLOYMENT);
    }
}
