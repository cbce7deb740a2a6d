package dev.jcable.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.config.Option;
import dev.jcable.node.NodeHarness;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/operations.md and the example Grafana dashboard name only metrics a running node serves, and the doc lists
 * every jcable and AnyCable metric it serves: neither can drift from the code.
 */
class OperationsDocTest {

    private static final Path DOC = Path.of("docs/operations.md");
    private static final Path DASHBOARD = Path.of("docs/grafana-dashboard.json");
    /** A metric name as the doc and the dashboard write it (a family, or one of its samples). */
    private static final Pattern NAME = Pattern.compile("\\b((?:anycable_go|jcable|jvm|process|system)_[a-z_]+)");

    private static NodeHarness harness;
    private static Set<String> served;

    @BeforeAll
    static void start() {
        // with rpc_host, so that the RPC gauges are served too (no call is made: nothing connects)
        harness = new NodeHarness(Map.of(Option.PING_INTERVAL, "0", Option.RPC_HOST, "http://127.0.0.1:9/_anycable"));
        served = new TreeSet<>();
        Scrape scrape = Scrape.parse(CableMetrics.scrape());
        served.addAll(scrape.families());
        scrape.samples().keySet().forEach(sample -> served.add(sample.replaceAll("\\{.*", "")));
    }

    @AfterAll
    static void stop() {
        harness.close();
    }

    private static List<String> names(String text) {
        List<String> names = new ArrayList<>();
        Matcher matcher = NAME.matcher(text);
        while (matcher.find()) {
            names.add(matcher.group(1));
        }
        return names;
    }

    @Test
    void everyMetricTheDocNamesIsServed() throws Exception {
        List<String> named = names(Files.readString(DOC));
        assertTrue(named.size() > 20, named.toString());
        for (String name : named) {
            assertTrue(served.contains(name) || name.endsWith("_"), name + " (operations.md) is not served: " + served);
        }
    }

    @Test
    void theDocListsEveryJcableAndAnyCableMetric() throws Exception {
        String doc = Files.readString(DOC);
        for (String family : Scrape.parse(CableMetrics.scrape()).families()) {
            if (family.startsWith("jcable_") || family.startsWith("anycable_go_")) {
                assertTrue(doc.contains("| `" + family + "`"), family + " has no row in operations.md");
            }
        }
    }

    @Test
    void theDashboardIsValidJsonAndQueriesOnlyServedMetrics() throws Exception {
        JsonObject dashboard;
        try (JsonReader reader = Json.createReader(new StringReader(Files.readString(DASHBOARD)))) {
            dashboard = reader.readObject();
        }
        List<String> queries = new ArrayList<>();
        for (JsonValue panel : dashboard.getJsonArray("panels")) {
            for (JsonValue target : panel.asJsonObject().getJsonArray("targets")) {
                queries.add(((JsonString) target.asJsonObject().get("expr")).getString());
            }
        }
        assertTrue(queries.size() >= 8, queries.toString());
        for (String query : queries) {
            List<String> named = names(query);
            assertTrue(!named.isEmpty(), query);
            for (String name : named) {
                assertTrue(served.contains(name), name + " (grafana-dashboard.json) is not served: " + served);
            }
        }
        assertEquals("jcable", dashboard.getString("title"));
    }
}
