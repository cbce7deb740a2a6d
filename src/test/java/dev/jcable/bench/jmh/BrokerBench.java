package dev.jcable.bench.jmh;

import dev.jcable.broker.BrokerListener;
import dev.jcable.broker.BrokerSettings;
import dev.jcable.broker.JoinResult;
import dev.jcable.broker.MemoryBroker;
import dev.jcable.broker.Publication;
import dev.jcable.broker.StreamMessage;
import dev.jcable.protocol.PresenceEvent;
import dev.jcable.protocol.PresenceInfo;
import dev.jcable.streams.MessageVerifier;
import jakarta.json.JsonValue;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The memory broker and the stream verifier on their own (JMH 1.37): presence add+remove, info, history append and
 * read, signed-stream verification. One shared broker (as on a node); each thread works on its own stream and
 * session so that 2 threads measure scaling, not contention on one lock. Run: {@code bench/run.sh jmh}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class BrokerBench {

    /** The node's broker, with a listener that drops what it is given (no sockets here). */
    @State(Scope.Benchmark)
    public static class Node {
        public MemoryBroker broker;
        public MessageVerifier verifier;
        public String signed;

        @Setup(Level.Trial)
        public void setup() {
            broker = new MemoryBroker(System::currentTimeMillis, new BrokerSettings(Duration.ofSeconds(15), 10_000, 100,
                    Duration.ofSeconds(300), Duration.ofSeconds(300)), deadline -> { });
            broker.start(new BrokerListener() {
                @Override
                public void deliver(StreamMessage message) {
                }

                @Override
                public void presence(String stream, PresenceEvent event) {
                }
            });
            verifier = new MessageVerifier("bench-s3Krit");
            signed = verifier.sign("\"chat/room:42\"");
        }
    }

    /** Per thread: a stream with 100 resident members and 100 messages of history, and a session of its own. */
    @State(Scope.Thread)
    public static class Mine {
        private static final AtomicInteger THREADS = new AtomicInteger();
        public String stream;
        public String sid;
        public String pid;
        public String info = "{\"name\":\"Vova\"}";
        public String data;
        public Publication publication;
        public long published;

        @Setup(Level.Trial)
        public void setup(Node node) {
            int t = THREADS.incrementAndGet();
            stream = "room/" + t;
            sid = "sid-" + t;
            pid = "user-" + t;
            for (int i = 0; i < 100; i++) {
                node.broker.presenceAdd(stream, "resident-" + t + "-" + i, "r" + i, info);
            }
            data = "{\"text\":\"" + "x".repeat(180) + "\"}";
            publication = new Publication(stream, data);
            for (int i = 0; i < 100; i++) {
                node.broker.publish(publication);
            }
            published = 100;
        }
    }

    /** One member joins and leaves (two events emitted). */
    @Benchmark
    public boolean presenceAddRemove(Node node, Mine mine) {
        JoinResult r = node.broker.presenceAdd(mine.stream, mine.sid, mine.pid, mine.info);
        return node.broker.presenceRemove(mine.stream, mine.sid) && r == JoinResult.JOINED;
    }

    /** The 100 members of a stream, in join order. */
    @Benchmark
    public PresenceInfo presenceInfo(Node node, Mine mine) {
        return node.broker.presenceInfo(mine.stream);
    }

    /** A broadcast stored in its stream's history (limit 100) and handed to the listener. */
    @Benchmark
    public void historyAppend(Node node, Mine mine) {
        node.broker.publish(mine.publication);
        mine.published++;
    }

    /** The last 10 messages of a 100-message history, by epoch and offset. */
    @Benchmark
    public Optional<List<StreamMessage>> historyRead(Node node, Mine mine) {
        return node.broker.historyFrom(mine.stream, node.broker.epoch(), mine.published - 10, Long.MAX_VALUE);
    }

    /** Verifying a signed stream name (HMAC-SHA256, base64, JSON). */
    @Benchmark
    public Optional<JsonValue> verifySignedStream(Node node) {
        return node.verifier.verify(node.signed);
    }
}
