package dev.jcable.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Where the token and the session to restore come from (protocol doc, section 1.2). */
class HandshakeTest {

    static final String PROTOCOLS = "sec-websocket-protocol";

    final Map<String, List<String>> headers = new HashMap<>();
    final Map<String, List<String>> query = new HashMap<>();

    Handshake of() {
        return Handshake.of(headers, query, "jid");
    }

    @Test
    void nothingGivenIsNothing() {
        assertEquals(new Handshake(null, null), of());
    }

    @Test
    void tokenFromTheQuery() {
        query.put("jid", List.of("q-token"));
        assertEquals(new Handshake("q-token", null), of());
    }

    @Test
    void tokenFromTheSubprotocolBeatsTheQuery() {
        query.put("jid", List.of("q-token"));
        headers.put(PROTOCOLS, List.of("actioncable-v1-ext-json, anycable-token.abc"));
        assertEquals("abc", of().token());
    }

    @Test
    void headerBeatsSubprotocolAndQuery() {
        query.put("jid", List.of("q-token"));
        headers.put(PROTOCOLS, List.of("actioncable-v1-ext-json, anycable-token.p-token"));
        headers.put("x-jid", List.of("h-token"));
        assertEquals("h-token", of().token());
    }

    @Test
    void subprotocolTokenIsFoundAnywhereInTheList() {
        headers.put(PROTOCOLS, List.of("anycable-token.first,actioncable-v1-ext-json"));
        assertEquals("first", of().token());
        headers.put(PROTOCOLS, List.of("actioncable-v1-ext-json ,  anycable-token.a.b.c  , actioncable-v1-json"));
        assertEquals("a.b.c", of().token());
        headers.put(PROTOCOLS, List.of("actioncable-v1-ext-json", "actioncable-v1-json", "anycable-token.later"));
        assertEquals("later", of().token());
        headers.put(PROTOCOLS, List.of("actioncable-v1-ext-json", "x, anycable-token.in-second-value"));
        assertEquals("in-second-value", of().token());
    }

    @Test
    void subprotocolWithoutATokenIsNoToken() {
        headers.put(PROTOCOLS, List.of("actioncable-v1-ext-json, anycable-token."));
        assertEquals(new Handshake(null, null), of());
        headers.put(PROTOCOLS, List.of("actioncable-v1-ext-json, xanycable-token.abc"));
        assertEquals(new Handshake(null, null), of());
        query.put("jid", List.of("q-token"));
        assertEquals("q-token", of().token());
    }

    @Test
    void customJwtParam() {
        query.put("token", List.of("q-token"));
        query.put("jid", List.of("not-this"));
        assertEquals("q-token", Handshake.of(headers, query, "token").token());
        headers.put("x-token", List.of("h-token"));
        headers.put("x-jid", List.of("not-this-either"));
        assertEquals("h-token", Handshake.of(headers, query, "token").token());
        // the header name is lower-cased, as the headers are
        assertEquals("h-token", Handshake.of(headers, query, "Token").token());
    }

    @Test
    void blankValuesCountAsAbsent() {
        headers.put("x-jid", List.of("  "));
        headers.put(PROTOCOLS, List.of("actioncable-v1-ext-json, anycable-token.p-token"));
        assertEquals("p-token", of().token());
        headers.remove(PROTOCOLS);
        query.put("jid", List.of("q-token"));
        assertEquals("q-token", of().token());
        query.put("jid", List.of(""));
        assertEquals(null, of().token());
        headers.put("x-jid", List.of());
        assertEquals(null, of().token());
    }

    @Test
    void valuesAreTrimmed() {
        headers.put("x-jid", List.of(" h-token "));
        headers.put("x-anycable-restore-sid", List.of(" old-sid\t"));
        assertEquals(new Handshake("h-token", "old-sid"), of());
    }

    @Test
    void restoreSidFromHeaderBeatsQuery() {
        query.put("sid", List.of("q-sid"));
        assertEquals("q-sid", of().restoreSid());
        headers.put("x-anycable-restore-sid", List.of("h-sid"));
        assertEquals("h-sid", of().restoreSid());
    }

    @Test
    void blankRestoreSidIsNoRestore() {
        query.put("sid", List.of(""));
        assertEquals(null, of().restoreSid());
        headers.put("x-anycable-restore-sid", List.of(" "));
        assertEquals(null, of().restoreSid());
        query.put("sid", List.of("q-sid"));
        assertEquals("q-sid", of().restoreSid());
    }

    @Test
    void tokenAndSidAreIndependent() {
        headers.put(PROTOCOLS, List.of("actioncable-v1-ext-json, anycable-token.tok"));
        query.put("sid", List.of("prev"));
        assertEquals(new Handshake("tok", "prev"), of());
    }
}
