package dev.jcable.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@code Turbo::StreamsChannel} identifiers (protocol doc, section 3.3): verified with the Turbo secret, never with
 * presence or whisper. Signed names are built here with the JDK's HMAC, as Rails' MessageVerifier does.
 */
class TurboStreamsTest {

    static final String STREAMS_SECRET = MessageVerifierTest.SECRET;
    static final String TURBO_SECRET = "turb0-s3cret";

    /** {@code base64(JSON(value)) + "--" + hex(HMAC-SHA256(secret, base64part))}, for a string value. */
    static String signed(String secret, String stream) {
        return dev.jcable.testsupport.Signing.sign(secret, stream);
    }

    static String turbo(String signedName) {
        return "{\"channel\":\"Turbo::StreamsChannel\",\"signed_stream_name\":\"" + signedName + "\"}";
    }

    static String pubsub(String signedName) {
        return "{\"channel\":\"$pubsub\",\"signed_stream_name\":\"" + signedName + "\"}";
    }

    /** Streams presence and whisper on, public streams on: nothing of that may leak into Turbo subscriptions. */
    static StreamResolver resolver(String turboSecret) {
        return new StreamResolver(new MessageVerifier(STREAMS_SECRET),
                turboSecret == null ? null : new MessageVerifier(turboSecret), true, true, true);
    }

    @Test
    void signedWithTheTurboSecretResolvesWithoutPresenceOrWhisper() {
        assertEquals(Optional.of(new StreamSpec("gid://app/Room/1:messages", false, false)),
                resolver(TURBO_SECRET).resolve(turbo(signed(TURBO_SECRET, "gid://app/Room/1:messages"))));
    }

    @Test
    void helperMatchesTheDocVector() {
        assertEquals(MessageVerifierTest.CHAT_2021, signed(STREAMS_SECRET, "chat:2021"));
    }

    @Test
    void turboSecretMayBeTheStreamsSecret() {
        assertEquals(Optional.of(new StreamSpec("chat:2021", false, false)),
                resolver(STREAMS_SECRET).resolve(turbo(MessageVerifierTest.CHAT_2021)));
    }

    @Test
    void signedWithAnotherSecretIsRejected() {
        StreamResolver resolver = resolver(TURBO_SECRET);
        assertEquals(Optional.empty(), resolver.resolve(turbo(signed(STREAMS_SECRET, "room"))));
        assertEquals(Optional.empty(), resolver.resolve(turbo(signed("something-else", "room"))));
        assertEquals(Optional.empty(), resolver.resolve(turbo(signed(TURBO_SECRET, "room") + "0")));
    }

    @Test
    void turboOffRejectsTurboIdentifiers() {
        StreamResolver resolver = resolver(null);
        assertEquals(Optional.empty(), resolver.resolve(turbo(signed(TURBO_SECRET, "room"))));
        assertEquals(Optional.empty(), resolver.resolve(turbo(signed(STREAMS_SECRET, "room"))));
    }

    @Test
    void pubsubIsStillVerifiedWithTheStreamsSecret() {
        StreamResolver resolver = resolver(TURBO_SECRET);
        assertEquals(Optional.of(new StreamSpec("room", true, true)),
                resolver.resolve(pubsub(signed(STREAMS_SECRET, "room"))));
        assertEquals(Optional.empty(), resolver.resolve(pubsub(signed(TURBO_SECRET, "room"))));
    }

    @Test
    void turboNeedsASignedName() {
        StreamResolver resolver = resolver(TURBO_SECRET);
        assertEquals(Optional.empty(),
                resolver.resolve("{\"channel\":\"Turbo::StreamsChannel\",\"stream_name\":\"room\"}"));
        assertEquals(Optional.empty(), resolver.resolve(turbo("")));
        assertEquals(Optional.empty(), resolver.resolve("{\"channel\":\"Turbo::StreamsChannel\"}"));
        assertEquals(Optional.empty(),
                resolver.resolve("{\"channel\":\"Turbo::StreamsChannel\",\"signed_stream_name\":42}"));
    }

    @Test
    void turboSignedNonStringIsRejected() {
        // ["chat/2023",1685024017] signed with the streams secret
        assertEquals(Optional.empty(), resolver(STREAMS_SECRET).resolve(turbo(MessageVerifierTest.ARRAY)));
    }

    @Test
    void channelNameIsExact() {
        StreamResolver resolver = resolver(TURBO_SECRET);
        String name = signed(TURBO_SECRET, "room");
        assertEquals(Optional.empty(),
                resolver.resolve("{\"channel\":\"turbo::streamschannel\",\"signed_stream_name\":\"" + name + "\"}"));
        assertEquals(Optional.empty(),
                resolver.resolve("{\"channel\":\"Turbo::StreamsChannel \",\"signed_stream_name\":\"" + name + "\"}"));
    }

    @Test
    void turboIdentifierWithExtraParamsStillResolves() {
        String id = "{\"channel\":\"Turbo::StreamsChannel\",\"signed_stream_name\":\"" + signed(TURBO_SECRET, "room")
                + "\",\"extra\":1}";
        assertEquals(Optional.of(new StreamSpec("room", false, false)), resolver(TURBO_SECRET).resolve(id));
    }
}
