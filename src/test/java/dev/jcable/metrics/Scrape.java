package dev.jcable.metrics;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** One Prometheus text-format scrape, parsed: each sample by its name and labels, and the metric families. */
public record Scrape(Map<String, Double> samples, Set<String> families, String text) {

    public static Scrape parse(String text) {
        Map<String, Double> samples = new HashMap<>();
        Set<String> families = new HashSet<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("# TYPE ")) {
                families.add(line.split(" ")[2]);
            } else if (!line.isBlank() && !line.startsWith("#")) {
                int space = line.lastIndexOf(' ');
                samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
            }
        }
        return new Scrape(samples, families, text);
    }

    /** A sample's value, e.g. {@code value("jcable_disconnects_total{reason=\"too_slow\"}")}; fails when absent. */
    public double value(String sample) {
        Double value = samples.get(sample);
        if (value == null) {
            throw new AssertionError("no sample " + sample + " in the scrape:\n" + text);
        }
        return value;
    }

    /** How much {@code sample} grew since {@code before}. */
    public double delta(Scrape before, String sample) {
        return value(sample) - before.value(sample);
    }
}
