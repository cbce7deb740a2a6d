package dev.jcable.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The packaged web.xml env-entries carry exactly the defaults of {@link Option}. */
class WebXmlDefaultsTest {

    private static final Path WEB_XML = Path.of("src/main/webapp/WEB-INF/web.xml");
    private static final String PREFIX = "anycable/";

    private static Map<Option, String> entries;

    @BeforeAll
    static void parse() throws Exception {
        assertTrue(Files.isRegularFile(WEB_XML), "run from the project root: " + WEB_XML.toAbsolutePath());
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        NodeList list = factory.newDocumentBuilder().parse(WEB_XML.toFile()).getElementsByTagNameNS("*", "env-entry");
        entries = new EnumMap<>(Option.class);
        for (int i = 0; i < list.getLength(); i++) {
            Element entry = (Element) list.item(i);
            String name = text(entry, "env-entry-name");
            assertTrue(name.startsWith(PREFIX), name);
            Option option = Option.valueOf(name.substring(PREFIX.length()).toUpperCase(Locale.ROOT));
            assertEquals(option.jndiName(), name);
            assertNull(entries.put(option, text(entry, "env-entry-value")), "duplicate env-entry " + name);
        }
    }

    private static String text(Element parent, String child) {
        NodeList nodes = parent.getElementsByTagNameNS("*", child);
        assertEquals(1, nodes.getLength(), child);
        return nodes.item(0).getTextContent().trim();
    }

    @Test
    void everyEntryHoldsTheBuiltInDefault() {
        assertFalse(entries.isEmpty());
        entries.forEach((option, value) -> assertEquals(option.defaultValue(), value, option.jndiName()));
    }

    @Test
    void everyNonSecretOptionHasAnEntry() {
        for (Option option : Option.values()) {
            assertEquals(!option.secret(), entries.containsKey(option), option.jndiName());
        }
    }
}
