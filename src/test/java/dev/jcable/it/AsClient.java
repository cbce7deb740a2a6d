package dev.jcable.it;

import java.net.URL;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An integration test that drives its deployment from outside, as a client would: {@link #cable} speaks to the WAR
 * the subclass's {@code @Deployment} made.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
abstract class AsClient {

    @ArquillianResource
    URL deployed;

    Cable cable;

    @BeforeEach
    void reachTheDeployment() {
        cable = new Cable(deployed);
    }
}
