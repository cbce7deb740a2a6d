package dev.jcable.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jcable.config.Option;
import dev.jcable.session.OutboxTest;
import jakarta.websocket.CloseReason;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The per-connection command rate limit: a burst, then the rate; over it one disconnect, logged once. */
class CommandRateTest {

    static final String EXT = "actioncable-v1-ext-json";
    static final String PING = "{\"command\":\"ping\"}";
    static final String PONG = "{\"type\":\"pong\"}";

    final List<LogRecord> warnings = new CopyOnWriteArrayList<>();
    final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLevel() == Level.WARNING) {
                warnings.add(record);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    final Logger logger = Logger.getLogger(CommandRate.class.getName());
    NodeHarness harness;

    @BeforeEach
    void start() {
        logger.addHandler(capture);
    }

    @AfterEach
    void stop() {
        logger.removeHandler(capture);
        harness.close();
    }

    @Test
    void theBurstPassesTheNextCommandDisconnectsOnceAndNothingMoreRuns() {
        // a rate of 1 a minute: within this test the bucket does not refill
        harness = new NodeHarness(Map.of(Option.PING_INTERVAL, "0", Option.COMMAND_RATE_LIMIT, "1",
                Option.COMMAND_RATE_BURST, "3"));
        OutboxTest.FakeSocket socket = harness.open(EXT);
        for (int i = 0; i < 3; i++) {
            harness.node.receive(socket.session, PING, true);
        }
        assertEquals(List.of(PONG, PONG, PONG), socket.frames.subList(1, socket.frames.size()));
        for (int i = 0; i < 5; i++) {
            harness.node.receive(socket.session, PING, true);
        }
        assertEquals(List.of(PONG, PONG, PONG,
                "{\"type\":\"disconnect\",\"reason\":\"too_many_requests\",\"reconnect\":true}"),
                socket.frames.subList(1, socket.frames.size()));
        assertEquals(List.of(new CloseReason(CloseReason.CloseCodes.NORMAL_CLOSURE, "Too many requests").toString()),
                socket.closes.stream().map(CloseReason::toString).toList());
        assertEquals(1, warnings.size(), "logged once: " + warnings.stream().map(LogRecord::getMessage).toList());
    }

    /**
     * A whisper into a stream with 1,000 subscribers on the node costs its own token and 10 more (one per 100
     * connections it reaches): a burst of 100 tokens lets its subscribe and 9 whispers through (100 tokens), the 10th
     * disconnects it. Counted per command only, all 10 would pass.
     */
    @Test
    void aWhisperIntoALargeRoomCostsWhatItsFanOutCosts() {
        harness = new NodeHarness(Map.of(Option.PING_INTERVAL, "0", Option.COMMAND_RATE_LIMIT, "1",
                Option.COMMAND_RATE_BURST, "100", Option.PUBLIC_STREAMS, "true", Option.STREAMS_WHISPER, "true"));
        String room = CloseRaceTest.identifier("room");
        for (int i = 0; i < 999; i++) {
            harness.node.receive(harness.open(EXT).session, "{\"command\":\"subscribe\",\"identifier\":" + room
                    + "}", true);
        }
        OutboxTest.FakeSocket whisperer = harness.open(EXT);
        harness.node.receive(whisperer.session, "{\"command\":\"subscribe\",\"identifier\":" + room + "}", true);
        assertEquals(1000, harness.hub().subscribers("room"));
        String whisper = "{\"command\":\"whisper\",\"identifier\":" + room + ",\"data\":{\"typing\":true}}";
        for (int i = 0; i < 9; i++) {
            harness.node.receive(whisperer.session, whisper, true);
        }
        assertEquals(List.of(), whisperer.closes, "9 whispers of 11 tokens and the subscribe: 100 tokens");
        harness.node.receive(whisperer.session, whisper, true);
        assertEquals("{\"type\":\"disconnect\",\"reason\":\"too_many_requests\",\"reconnect\":true}",
                whisperer.frames.get(whisperer.frames.size() - 1));
        assertEquals(1, warnings.size());
    }

    @Test
    void zeroTurnsTheLimitOff() {
        harness = new NodeHarness(Map.of(Option.PING_INTERVAL, "0", Option.COMMAND_RATE_LIMIT, "0",
                Option.COMMAND_RATE_BURST, "1"));
        OutboxTest.FakeSocket socket = harness.open(EXT);
        for (int i = 0; i < 1000; i++) {
            harness.node.receive(socket.session, PING, true);
        }
        assertEquals(1001, socket.frames.size());
        assertEquals(List.of(), warnings);
    }
}
