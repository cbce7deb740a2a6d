package dev.jcable;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.EvaluationResult;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packages as the layers of docs/architecture.md: each layer may use the ones below it, never one above. A
 * change that makes an arrow run back up fails here with the offending class and line.
 */
class LayersTest {

    static JavaClasses jcable;

    @BeforeAll
    static void importMainClasses() {
        jcable = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.jcable");
    }

    @Test
    void noLayerUsesOneAboveIt() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("adapters").definedBy("dev.jcable.endpoint..", "dev.jcable.http..", "dev.jcable.demo..")
                .layer("node").definedBy("dev.jcable.node..", "dev.jcable.channels..", "dev.jcable.events..",
                        "dev.jcable.pusher..", "dev.jcable.rpc..", "dev.jcable.sse..")
                .layer("hub").definedBy("dev.jcable.hub..")
                .layer("session").definedBy("dev.jcable.session..")
                .layer("broker").definedBy("dev.jcable.broker..")
                .layer("base").definedBy("dev.jcable.streams..", "dev.jcable.identity..", "dev.jcable.protocol..",
                        "dev.jcable.config..", "dev.jcable.metrics..")
                .layer("api").definedBy("dev.jcable.api..")
                .whereLayer("adapters").mayNotBeAccessedByAnyLayer()
                .whereLayer("node").mayOnlyBeAccessedByLayers("adapters")
                .whereLayer("hub").mayOnlyBeAccessedByLayers("adapters", "node")
                .whereLayer("session").mayOnlyBeAccessedByLayers("adapters", "node", "hub")
                .whereLayer("broker").mayOnlyBeAccessedByLayers("adapters", "node", "hub", "session")
                .whereLayer("base").mayOnlyBeAccessedByLayers("adapters", "node", "hub", "session", "broker")
                .check(jcable);
    }

    @Test
    void thePublicApiImportsNothingOfJcableNorOfServletOrRest() {
        noClasses().that().resideInAPackage("dev.jcable.api..")
                .should().dependOnClassesThat().resideOutsideOfPackages("dev.jcable.api..", "java..", "jakarta.json..")
                .because("applications program against dev.jcable.api alone (its package-info.java)")
                .check(jcable);
    }

    @Test
    void packagesFormNoCycle() {
        slices().matching("dev.jcable.(**)").should().beFreeOfCycles().check(jcable);
    }

    /** The rule can fail: an arrow from the broker up to the node, as the classes of a test would make it. */
    @Test
    void anArrowBackUpIsCaught() {
        JavaClasses withUpwardArrow = new ClassFileImporter().importClasses(UpwardArrow.class,
                dev.jcable.node.Node.class);
        EvaluationResult result = layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("node").definedBy("dev.jcable.node..")
                .layer("below").definedBy("dev.jcable")
                .whereLayer("node").mayNotBeAccessedByAnyLayer()
                .evaluate(withUpwardArrow);
        assertFalse(result.getFailureReport().isEmpty(), "an upward arrow must be reported");
    }

    static final class UpwardArrow {
        dev.jcable.node.Node node;
    }
}
