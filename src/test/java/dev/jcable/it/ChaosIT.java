package dev.jcable.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.testsupport.ExternalProgram;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The chaos suite's short form (issue 20; {@code src/test/node/chaos.mjs}, also {@code bench/run.sh chaos}): two
 * Payara Micro processes with the WAR on one real redis-server, official clients on every node joining, leaving,
 * dropping and broadcasting throughout, through 20 fault cycles (client network drops, {@code kill -9} and restart of
 * a node, Redis hung longer than the lease, Redis restarted with and without its data, {@code CLIENT KILL TYPE
 * pubsub}). Passes when the suite found no violation: at every quiescence each client's member set equals REST on
 * its node and REST equals the live members, each transition reached each observer once, no member whose connection
 * stayed open left, and no broadcast was lost, repeated or reordered for a subscriber. Payara Micro only (the suite
 * starts its own processes); skipped with the reason without redis-server.
 * <p>
 * Opt-in for now ({@code -Djcable.chaos=true}, or {@code bench/run.sh chaos}; {@code -Djcable.chaos.seed=N} picks
 * another schedule): seeds 1, 2 and 3 passed twice each since the last fixes, but a later seed-1 run still found
 * clients of one node missing leaves around a Redis restart with its data (issue 20; BENCHMARKS.md, "Chaos suite",
 * r14), so CI runs it once that is fixed.
 */
@EnabledIfSystemProperty(named = "jcable.chaos", matches = "true",
        disabledReason = "the chaos suite is opt-in until issue 20 is closed: -Djcable.chaos=true or bench/run.sh chaos")
class ChaosIT {

    /** The short form's budget: the suite itself stops at this, whatever the machine. */
    private static final long LIMIT_SECONDS = Long.getLong("jcable.chaos.limit", 290);

    @Test
    void twentyFaultCyclesLeaveEveryMemberSetTrueAndLoseNoBroadcast() throws Exception {
        Path redis = ExternalProgram.REDIS_SERVER.require();
        Path out = Files.createTempDirectory("jcable-chaos");
        File jar = new File(System.getProperty("payara.microJar", "target/payara-micro.jar")).getAbsoluteFile();
        File war = new File(System.getProperty("jcable.war", "target/jcable.war")).getAbsoluteFile();
        List<String> command = List.of("node", "chaos.mjs", "jar=" + jar, "war=" + war, "redis=" + redis,
                "java=" + new File(System.getProperty("java.home"), "bin/java"), "out=" + out,
                "cycles=" + Integer.getInteger("jcable.chaos.cycles", 20), "nodes=2", "clients=3", "streams=3",
                "seed=" + Long.getLong("jcable.chaos.seed", 1));
        Path output = out.resolve("chaos.out");
        Process node = new ProcessBuilder(command).directory(new File(System.getProperty("node.test.dir",
                "src/test/node"))).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        boolean finished = node.waitFor(LIMIT_SECONDS, TimeUnit.SECONDS);
        if (!finished) {
            node.destroy(); // SIGTERM: the suite kills its nodes and Redis on the way out
            node.waitFor(20, TimeUnit.SECONDS);
            node.destroyForcibly();
        }
        String report = Files.readString(output, StandardCharsets.UTF_8);
        System.out.println(report);
        assertTrue(finished, "the chaos suite did not finish within " + LIMIT_SECONDS + " s:\n" + report);
        assertEquals(0, node.exitValue(), "the chaos suite found violations (logs in " + out + "):\n" + report);
    }
}
