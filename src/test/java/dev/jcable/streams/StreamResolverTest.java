package dev.jcable.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code $pubsub} identifier resolution (protocol doc, section 3.1). */
class StreamResolverTest {

    private static final String CHAT_2021 = MessageVerifierTest.CHAT_2021;
    private static final String ARRAY = MessageVerifierTest.ARRAY;

    private static StreamResolver resolver(boolean publicStreams, boolean presence, boolean whisper) {
        return new StreamResolver(new MessageVerifier("s3Krit"), null, publicStreams, presence, whisper);
    }

    private static String signed(String signedName) {
        return "{\"channel\":\"$pubsub\",\"signed_stream_name\":\"" + signedName + "\"}";
    }

    private static String named(String name) {
        return "{\"channel\":\"$pubsub\",\"stream_name\":\"" + name + "\"}";
    }

    @Test
    void signedIdentifierCarriesTheSignedFlags() {
        assertEquals(Optional.of(new StreamSpec("chat:2021", true, false)),
                resolver(false, true, false).resolve(signed(CHAT_2021)));
        assertEquals(Optional.of(new StreamSpec("chat:2021", false, true)),
                resolver(false, false, true).resolve(signed(CHAT_2021)));
    }

    @Test
    void signedNonStringPayloadIsRejected() {
        assertEquals(Optional.empty(), resolver(true, true, true).resolve(signed(ARRAY)));
    }

    @Test
    void badSignatureIsRejected() {
        assertEquals(Optional.empty(), resolver(true, true, true).resolve(signed(CHAT_2021 + "0")));
        StreamResolver noSecret = new StreamResolver(new MessageVerifier(""), null, true, true, true);
        assertEquals(Optional.empty(), noSecret.resolve(signed(CHAT_2021)));
    }

    @Test
    void streamNameNeedsPublicStreams() {
        assertEquals(Optional.empty(), resolver(false, true, true).resolve(named("room/42")));
    }

    @Test
    void publicStreamHasPresenceAndWhisper() {
        assertEquals(Optional.of(new StreamSpec("room/42", true, true)),
                resolver(true, false, false).resolve(named("room/42")));
    }

    @Test
    void otherIdentifiersAreRejected() {
        StreamResolver resolver = resolver(true, true, true);
        assertEquals(Optional.empty(), resolver.resolve("{\"channel\":\"ChatChannel\",\"stream_name\":\"room/42\"}"));
        assertEquals(Optional.empty(), resolver.resolve("{\"stream_name\":\"room/42\"}"));
        assertEquals(Optional.empty(), resolver.resolve("{\"channel\":1,\"stream_name\":\"room/42\"}"));
        assertEquals(Optional.empty(), resolver.resolve("not json"));
        assertEquals(Optional.empty(), resolver.resolve("[\"$pubsub\"]"));
        assertEquals(Optional.empty(), resolver.resolve("\"$pubsub\""));
        assertEquals(Optional.empty(), resolver.resolve(""));
        assertEquals(Optional.empty(), resolver.resolve(null));
    }

    @Test
    void identifierWithTrailingContentIsRejected() {
        assertEquals(Optional.empty(), resolver(true, true, true).resolve(named("room/42") + " garbage"));
    }

    @Test
    void emptyNamesAreRejected() {
        StreamResolver resolver = resolver(true, true, true);
        assertEquals(Optional.empty(),
                resolver.resolve("{\"channel\":\"$pubsub\",\"signed_stream_name\":\"\",\"stream_name\":\"\"}"));
        assertEquals(Optional.empty(), resolver.resolve("{\"channel\":\"$pubsub\"}"));
        assertEquals(Optional.empty(), resolver.resolve("{\"channel\":\"$pubsub\",\"stream_name\":42}"));
    }

    @Test
    void signedWinsOverStreamName() {
        String both = "{\"channel\":\"$pubsub\",\"signed_stream_name\":\"" + CHAT_2021
                + "\",\"stream_name\":\"other\"}";
        assertEquals(Optional.of(new StreamSpec("chat:2021", false, false)),
                resolver(true, false, false).resolve(both));
    }

    @Test
    void invalidSignedNameIsNotReplacedByStreamName() {
        String both = "{\"channel\":\"$pubsub\",\"signed_stream_name\":\"" + CHAT_2021
                + "0\",\"stream_name\":\"other\"}";
        assertEquals(Optional.empty(), resolver(true, true, true).resolve(both));
    }

    @Test
    void emptySignedNameFallsBackToPublicStreamName() {
        String both = "{\"channel\":\"$pubsub\",\"signed_stream_name\":\"\",\"stream_name\":\"room/42\"}";
        assertEquals(Optional.of(new StreamSpec("room/42", true, true)), resolver(true, false, false).resolve(both));
    }

    @Test
    void signProducesWhatResolveAccepts() {
        StreamResolver resolver = resolver(false, true, false);
        assertEquals(CHAT_2021, resolver.sign("chat:2021"));
        String name = "caf\u00e9 \"room\" \\ 42";
        assertEquals(Optional.of(new StreamSpec(name, true, false)),
                resolver.resolve(signed(resolver.sign(name))));
    }
}
