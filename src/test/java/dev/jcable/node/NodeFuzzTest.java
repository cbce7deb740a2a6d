package dev.jcable.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.broker.Publication;
import dev.jcable.config.Option;
import dev.jcable.protocol.Codec;
import dev.jcable.protocol.JsonText;
import dev.jcable.protocol.PresenceInfo;
import dev.jcable.protocol.ProtocolException;
import dev.jcable.session.CableSession;
import dev.jcable.session.OutboxTest;
import dev.jcable.session.Subscription;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Generated hostile input against a real node (see {@link NodeHarness}): commands built from the protocol's grammar
 * with valid-but-hostile values (huge and odd identifiers, lone surrogates, deep JSON, duplicate keys, wrong types,
 * numbers out of range), mutated commands, and random text, sent whole or in parts. Whatever comes in: no exception
 * escapes (none even reaches the node's catch-all), every frame the node writes is a JSON object that encodes as
 * strict UTF-8, a closed session leaves nothing behind, and a bystander keeps its subscription and presence. Well over
 * 100,000 frames per run.
 */
class NodeFuzzTest {

    static final String EXT = "actioncable-v1-ext-json";
    static final List<String> STREAMS = List.of("fuzz-0", "fuzz-1", "fuzz-2", "room");
    static final String BYSTANDER_STREAM = "room";
    static final int MAX_SUBSCRIPTIONS = 8;
    static final int MAX_IDENTIFIER = 256;
    static final int MAX_MESSAGE = 4096;
    static final long SESSIONS_MAX = 4096;

    static NodeHarness harness;
    static OutboxTest.FakeSocket bystander;
    static final AtomicLong frames = new AtomicLong();
    static final AtomicLong published = new AtomicLong();
    static final List<LogRecord> failures = new CopyOnWriteArrayList<>();
    static final Logger JCABLE = Logger.getLogger("dev.jcable");
    static final Handler CAPTURE = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getThrown() != null && record.getLevel().intValue() >= Level.WARNING.intValue()) {
                failures.add(record);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeContainer
    static void start() {
        JCABLE.addHandler(CAPTURE);
        JCABLE.setUseParentHandlers(false); // the first bad frame of each session is a WARNING: thousands of them
        harness = new NodeHarness(Map.ofEntries(
                Map.entry(Option.PUBLIC_STREAMS, "true"),
                Map.entry(Option.MAX_SUBSCRIPTIONS, String.valueOf(MAX_SUBSCRIPTIONS)),
                Map.entry(Option.MAX_IDENTIFIER_SIZE, String.valueOf(MAX_IDENTIFIER)),
                Map.entry(Option.MAX_MESSAGE_SIZE, String.valueOf(MAX_MESSAGE)),
                Map.entry(Option.PRESENCE_INFO_MAX_SIZE, "256"),
                Map.entry(Option.PRESENCE_MAX_MEMBERS, "5"),
                Map.entry(Option.PRESENCE_TTL, "0"),
                Map.entry(Option.SESSIONS_MAX_SIZE, String.valueOf(SESSIONS_MAX)),
                Map.entry(Option.PING_INTERVAL, "0"),
                Map.entry(Option.PONG_TIMEOUT, "0"),
                Map.entry(Option.WS_MAX_PENDING_SIZE, "65536")));
        bystander = harness.open(EXT);
        String identifier = identifier(BYSTANDER_STREAM);
        harness.node.receive(bystander.session, "{\"command\":\"subscribe\",\"identifier\":" + JsonText.quote(identifier)
                + "}", true);
        harness.node.receive(bystander.session, "{\"command\":\"join\",\"identifier\":" + JsonText.quote(identifier)
                + ",\"presence\":{\"id\":\"bystander\",\"info\":{\"name\":\"B\"}}}", true);
        assertEquals(3, bystander.frames.size(), "welcome, confirmation, own join: " + bystander.frames);
        bystander.frames.clear();
    }

    @AfterContainer
    static void stop() {
        JCABLE.removeHandler(CAPTURE);
        JCABLE.setUseParentHandlers(true);
        harness.close();
        System.out.println("NodeFuzzTest: " + frames.get() + " generated frames");
        assertTrue(frames.get() >= 100_000, "only " + frames.get() + " generated frames");
    }

    static String identifier(String stream) {
        return "{\"channel\":\"$pubsub\",\"stream_name\":\"" + stream + "\"}";
    }

    // ---- the property ----------------------------------------------------------------------------------

    @Property(tries = 2500)
    void hostileFramesHurtNobody(@ForAll("connections") List<Frame> input) {
        OutboxTest.FakeSocket hostile = harness.open(EXT);
        CableSession session = harness.session(hostile);
        for (Frame frame : input) {
            if (frame.parts() == 1 || frame.text().length() < 2) {
                harness.node.receive(hostile.session, frame.text(), true);
            } else {
                int cut = frame.text().length() / 2;
                harness.node.receive(hostile.session, frame.text().substring(0, cut), false);
                harness.node.receive(hostile.session, frame.text().substring(cut), true);
            }
            frames.incrementAndGet();
            assertEquals(List.of(), failures, "an exception reached the node's catch-all");
            assertTrue(session.subscriptions().size() <= MAX_SUBSCRIPTIONS);
            for (Subscription subscription : session.subscriptions().values()) {
                assertTrue(subscription.identifier().length() <= MAX_IDENTIFIER);
            }
        }
        assertWellFormed(hostile.frames);
        assertWellFormed(bystander.frames);

        harness.node.close(hostile.session);
        // nothing of the hostile session is left: presence (ttl 0), hub entries; the cache stays bounded
        // (closed sessions are remembered, holding nothing, for a grace after their TTL: members are what counts)
        assertEquals(1, harness.broker().stats().presenceMembers(), "only the bystander holds presence");
        assertEquals(1, harness.broker().stats().presenceStreams());
        assertEquals(1, harness.hub().streamCount(), "only the bystander's stream has subscribers");
        assertEquals(1, harness.hub().subscribers(BYSTANDER_STREAM));
        assertTrue(harness.broker().cachedSessionsSize() <= SESSIONS_MAX);
        assertEquals(List.of(new PresenceInfo.Record("bystander", "{\"name\":\"B\"}")),
                harness.broker().presenceInfo(BYSTANDER_STREAM).records()); // numbered after the hostile's joins and leaves

        // and the bystander still gets what is published, at the next offset
        bystander.frames.clear();
        harness.node.publish(new Publication(BYSTANDER_STREAM, "{\"n\":" + published.incrementAndGet() + "}"));
        assertEquals(1, bystander.frames.size(), String.valueOf(bystander.frames));
        String delivery = bystander.frames.get(0);
        assertTrue(delivery.startsWith("{\"identifier\":" + JsonText.quote(identifier(BYSTANDER_STREAM))
                + ",\"message\":{\"n\":" + published.get() + "},\"stream_id\":\"room\""), delivery);
        assertTrue(delivery.endsWith(",\"offset\":" + published.get() + "}"), delivery);
        bystander.frames.clear();
    }

    /** The codec alone, on arbitrary text: a command or a ProtocolException, never anything else. */
    @Property(tries = 30_000)
    void theCodecDecodesOrRefusesAnyText(@ForAll("anyText") String text) {
        frames.incrementAndGet();
        try {
            assertTrue(Codec.decode(text).command() != null);
        } catch (ProtocolException refused) {
            // bad input, as expected
        }
    }

    static void assertWellFormed(List<String> written) {
        for (String frame : List.copyOf(written)) {
            try {
                StandardCharsets.UTF_8.newEncoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).encode(CharBuffer.wrap(frame));
            } catch (CharacterCodingException e) {
                throw new AssertionError("not valid UTF-8 once encoded: " + frame, e);
            }
            // one JSON object (checked by events: an outbound frame may nest a client's data one level deeper)
            assertTrue(frame.startsWith("{") && JsonText.isJsonValue(frame), frame);
        }
    }

    // ---- generators ------------------------------------------------------------------------------------

    /** One frame and how many parts it arrives in. */
    record Frame(String text, int parts) {
    }

    @Provide
    Arbitrary<List<Frame>> connections() {
        Arbitrary<String> text = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(12, command()),
                net.jqwik.api.Tuple.of(2, duplicateKeys()),
                net.jqwik.api.Tuple.of(2, mutated()),
                net.jqwik.api.Tuple.of(1, deepCommand()),
                net.jqwik.api.Tuple.of(1, anyText()));
        return Combinators.combine(text, Arbitraries.integers().between(1, 4)).as((t, parts) -> new Frame(t, parts == 4 ? 2 : 1))
                .list().ofMinSize(20).ofMaxSize(60);
    }

    @Provide
    Arbitrary<String> anyText() {
        return Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(200),                       // any char, lone surrogates too
                Arbitraries.strings().withChars("{}[]\":,\\ u0123456789abcdefnrt-.eE+").ofMaxLength(120),
                Arbitraries.strings().ascii().ofMaxLength(80));
    }

    Arbitrary<String> command() {
        Arbitrary<String> name = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(20, Arbitraries.of("subscribe", "unsubscribe", "message", "history", "whisper",
                        "join", "leave", "presence", "ping", "pong").map(JsonText::quote)),
                net.jqwik.api.Tuple.of(1, Arbitraries.of("\"fly\"", "\"\"", "\"SUBSCRIBE\"", "42", "null", "{}", "[]", "true")));
        Arbitrary<String> members = Combinators.combine(identifierMember(), dataMember(), presenceMember(),
                historyMember()).as((i, d, p, h) -> i + d + p + h);
        return Combinators.combine(name, members).as((n, m) -> "{\"command\":" + n + m + "}");
    }

    Arbitrary<String> identifierMember() {
        Arbitrary<String> valid = Arbitraries.of(STREAMS).map(s -> JsonText.quote(identifier(s)));
        Arbitrary<String> odd = Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(40).map(JsonText::quote),
                Arbitraries.integers().between(MAX_IDENTIFIER - 2, 3 * MAX_IDENTIFIER)
                        .map(n -> JsonText.quote("{\"channel\":\"$pubsub\",\"stream_name\":\"" + "x".repeat(n) + "\"}")),
                Arbitraries.of("\"{\\\"channel\\\":\\\"$pubsub\\\",\\\"stream_name\\\":\\\"\\ud800\\\"}\"",
                        "\"{\\\"channel\\\":\\\"$pubsub\\\",\\\"stream_name\\\":\\\"a\\u2028b\\\"}\"",
                        "\"{\\\"channel\\\":\\\"$pubsub\\\",\\\"signed_stream_name\\\":\\\"eA==--00\\\"}\"",
                        "\"{\\\"channel\\\":\\\"Turbo::StreamsChannel\\\",\\\"signed_stream_name\\\":\\\"x\\\"}\"",
                        "\"not json\"", "\"\"", "42", "null", "{}", "[\"a\"]", "true"));
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(12, valid),
                net.jqwik.api.Tuple.of(4, odd),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(null)))
                .map(v -> v == null ? "" : ",\"identifier\":" + v);
    }

    Arbitrary<String> dataMember() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.just("")),
                net.jqwik.api.Tuple.of(3, value(3).map(v -> ",\"data\":" + v)),
                net.jqwik.api.Tuple.of(1, Arbitraries.of(",\"data\":{\"return_records\":false}",
                        ",\"data\":{\"return_records\":\"no\"}", ",\"data\":\"\\\"quoted json\\\"\"")));
    }

    Arbitrary<String> presenceMember() {
        Arbitrary<String> id = Arbitraries.oneOf(
                Arbitraries.of("\"1\"", "\"2\"", "\"\\ud800\"", "\"\\udfff\\ud800\"", "\"\"",
                        "1e400", "-0", "12345678901234567890123", "1.5", "null", "{}", "[]"),
                Arbitraries.strings().all().ofMaxLength(20).map(JsonText::quote));
        Arbitrary<String> info = Arbitraries.oneOf(value(3), Arbitraries.integers().between(200, 400)
                .map(n -> JsonText.quote("i".repeat(n))));
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.just("")),
                net.jqwik.api.Tuple.of(3, Combinators.combine(id, info).as((i, f) ->
                        ",\"presence\":{\"id\":" + i + ",\"info\":" + f + "}")),
                net.jqwik.api.Tuple.of(1, value(2).map(v -> ",\"presence\":" + v)));
    }

    Arbitrary<String> historyMember() {
        Arbitrary<String> number = Arbitraries.of("0", "1", "-1", "3", "9223372036854775807", "9223372036854775808",
                "1e30", "1.5", "\"7\"", "null", "1700000000");
        Arbitrary<String> position = Combinators.combine(Arbitraries.of(STREAMS), Arbitraries.of("\"e\"", "\"\"", "1",
                "null", "\"\\ud800\""), number).as((s, e, o) -> "{\"" + s + "\":{\"epoch\":" + e + ",\"offset\":" + o + "}}");
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, Arbitraries.just("")),
                net.jqwik.api.Tuple.of(2, Combinators.combine(number, position).as((since, streams) ->
                        ",\"history\":{\"since\":" + since + ",\"streams\":" + streams + "}")),
                net.jqwik.api.Tuple.of(1, value(2).map(v -> ",\"history\":" + v)));
    }

    /** Any JSON value up to {@code depth} levels: strings with every kind of character, odd numbers. */
    Arbitrary<String> value(int depth) {
        Arbitrary<String> leaf = Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(30).map(JsonText::quote),
                Arbitraries.of("0", "-1", "1e400", "-1e-400", "123456789012345678901234567890", "0.1", "true",
                        "false", "null", "\"\\u0000\"", "\"\\ud83d\\ude00\"", "\"\\ud83d\"", "\"<script>\""));
        if (depth == 0) {
            return leaf;
        }
        Arbitrary<String> array = value(depth - 1).list().ofMaxSize(3).map(items -> "[" + String.join(",", items) + "]");
        Arbitrary<String> object = Combinators.combine(Arbitraries.strings().alpha().ofMaxLength(5), value(depth - 1))
                .as((k, v) -> JsonText.quote(k) + ":" + v).list().ofMaxSize(3)
                .map(members -> "{" + String.join(",", members) + "}");
        return Arbitraries.oneOf(leaf, leaf, array, object);
    }

    /** The same member twice, with values that disagree: whichever wins must be handled like any other. */
    Arbitrary<String> duplicateKeys() {
        return Combinators.combine(Arbitraries.of(STREAMS), Arbitraries.of(STREAMS), Arbitraries.of("join", "subscribe",
                "whisper", "history")).as((a, b, c) -> "{\"command\":\"subscribe\",\"identifier\":"
                + JsonText.quote(identifier(a)) + ",\"command\":\"" + c + "\",\"identifier\":" + JsonText.quote(identifier(b))
                + ",\"presence\":{\"id\":\"1\",\"id\":2},\"data\":{\"x\":1,\"x\":[]},\"history\":{\"since\":1,\"since\":\"a\"}}");
    }

    /** A generated command with a few characters deleted or inserted. */
    Arbitrary<String> mutated() {
        return Combinators.combine(command(), Arbitraries.integers().between(0, 1000),
                Arbitraries.strings().withChars("{}[]\",:\\").ofMinLength(1).ofMaxLength(3), Arbitraries.integers().between(0, 3))
                .as((text, at, insert, delete) -> {
                    int i = at % (text.length() + 1);
                    String cut = text.substring(0, i) + text.substring(Math.min(text.length(), i + delete));
                    return cut.substring(0, Math.min(i, cut.length())) + insert + cut.substring(Math.min(i, cut.length()));
                });
    }

    /** JSON nested around the limit and far beyond it, where a recursive parser would run out of stack. */
    Arbitrary<String> deepCommand() {
        return Combinators.combine(Arbitraries.of(STREAMS), Arbitraries.integers().between(JsonText.MAX_DEPTH - 3, 2000),
                Arbitraries.of("whisper", "join", "message")).as((s, depth, c) -> {
                    String nested = "[".repeat(depth) + "]".repeat(depth);
                    String member = c.equals("join") ? "\"presence\":{\"id\":\"d\",\"info\":" + nested + "}"
                            : "\"data\":" + nested;
                    return "{\"command\":\"" + c + "\",\"identifier\":" + JsonText.quote(identifier(s)) + "," + member + "}";
                });
    }
}
