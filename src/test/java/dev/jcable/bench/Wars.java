package dev.jcable.bench;

import dev.jcable.bench.bare.BareBroadcastServlet;
import dev.jcable.bench.bare.BareEndpoint;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/** The WARs the benchmark deploys, built with ShrinkWrap from the test classes. */
public final class Wars {

    private Wars() {
    }

    /** target/jcable.war plus the Java-API publisher ({@link JavaApiPublishServlet}); nothing else changes. */
    public static WebArchive jcable(Path war) {
        return ShrinkWrap.createFromZipFile(WebArchive.class, war.toFile())
                .addClasses(JavaApiPublishServlet.class, Payload.class, Schedule.class, Latencies.class);
    }

    /** The bare @ServerEndpoint broadcaster: no protocol, no broker, no CDI. */
    public static WebArchive bare() {
        // at context root / like jcable (WildFly takes it from jboss-web.xml; Payara and Liberty are told at deploy)
        return ShrinkWrap.create(WebArchive.class, "bare.war").addClasses(BareEndpoint.class, BareBroadcastServlet.class)
                .addAsWebInfResource(new StringAsset("<jboss-web><context-root>/</context-root></jboss-web>"),
                        "jboss-web.xml");
    }

    public static Path export(WebArchive archive, String name) throws Exception {
        Path dir = Files.createTempDirectory("bench-war");
        File file = dir.resolve(name).toFile();
        archive.as(ZipExporter.class).exportTo(file, true);
        // gone when the load generator exits (deleted in reverse order: the file, then its directory)
        dir.toFile().deleteOnExit();
        file.deleteOnExit();
        return file.toPath();
    }
}
