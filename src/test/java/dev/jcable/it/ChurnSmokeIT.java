package dev.jcable.it;

import static dev.jcable.it.Cable.signedIdentifier;
import static dev.jcable.it.Cable.subscribed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcable.bench.Conn;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Presence churn on a real server, small enough for every CI run on every server: 200 members in one room, then 20
 * replacements a second for 5 s (one member goes, closing or dropping its connection, and a new one joins). Every
 * join and every leave must reach an observer exactly once, and the room's {@code presence} info must be exactly the
 * live members at the end: the per-container send path (issue 10) must not lose or reorder presence under load.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ChurnSmokeIT {

    private static final int MEMBERS = 200;
    private static final int PER_SECOND = 20;
    private static final int SECONDS = 5;
    private static final Pattern EVENT = Pattern.compile("\"message\":\\{\"type\":\"(join|leave)\",\"id\":\"([^\"]+)\"");
    /** The transition's number, at the end of the event (issue 20). */
    private static final Pattern SEQ = Pattern.compile(",\"seq\":(\\d+)}}$");
    private static final Pattern RECORD_ID = Pattern.compile("\\{\"id\":\"([^\"]+)\"");

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Cable.war();
    }

    @ArquillianResource
    URL deployed;

    private final Map<String, AtomicInteger> joins = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> leaves = new ConcurrentHashMap<>();
    private final AtomicInteger events = new AtomicInteger();
    /** Events whose number was not the one after the previous event's (the observer saw the stream from its start). */
    private final List<String> outOfSequence = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Test
    void everyJoinAndLeaveArrivesOnceAndTheInfoIsExactAtTheEnd() throws Exception {
        Cable cable = new Cable(deployed);
        String stream = Cable.stream("churn");
        String identifier = signedIdentifier(stream);
        HttpClient client = Conn.client();
        try (WsClient observer = cable.connect(WsClient.EXT)) {
            subscribed(observer, identifier);
            Thread counting = new Thread(() -> count(observer), "churn-observer");
            counting.setDaemon(true);
            counting.start();

            Map<Integer, Conn> live = new ConcurrentHashMap<>();
            CountDownLatch joined = new CountDownLatch(MEMBERS);
            Conn.openAll(client, cable.ws(""), WsClient.EXT, 0, MEMBERS, 50, i -> member(identifier, i, live, joined));
            assertTrue(joined.await(60, TimeUnit.SECONDS), "every member's join was answered");
            awaitEvents(MEMBERS, "the initial joins");

            // 20 replacements a second: the oldest member goes (every other one without a close frame), a new one joins
            int replacements = PER_SECOND * SECONDS;
            CountDownLatch rejoined = new CountDownLatch(replacements);
            AtomicInteger next = new AtomicInteger(MEMBERS);
            ScheduledExecutorService pace = Executors.newSingleThreadScheduledExecutor();
            try {
                CountDownLatch scheduled = new CountDownLatch(replacements);
                pace.scheduleAtFixedRate(() -> {
                    if (scheduled.getCount() == 0) {
                        return;
                    }
                    int n = next.getAndIncrement();
                    Conn gone = live.remove(n - MEMBERS);
                    if ((n & 1) == 0) {
                        gone.close();
                    } else {
                        gone.abort();
                    }
                    Conn.open(client, cable.ws(""), WsClient.EXT, member(identifier, n, live, rejoined));
                    scheduled.countDown();
                }, 0, 1000 / PER_SECOND, TimeUnit.MILLISECONDS);
                assertTrue(scheduled.await(SECONDS * 4L, TimeUnit.SECONDS), "the churn ran");
            } finally {
                pace.shutdown();
            }
            assertTrue(rejoined.await(60, TimeUnit.SECONDS), "every replacement's join was answered");
            // the leaves of the dropped members come after presence_ttl (1 s on the test servers)
            awaitEvents(MEMBERS + 2 * replacements, "every join and leave");

            Set<String> expected = new TreeSet<>();
            live.keySet().forEach(i -> expected.add("m" + i));
            assertEquals(MEMBERS, expected.size());
            for (int i = 0; i < MEMBERS + replacements; i++) {
                String id = "m" + i;
                assertEquals(1, count(joins, id), id + " joined once");
                assertEquals(expected.contains(id) ? 0 : 1, count(leaves, id), id + " left as often as it went");
            }
            assertEquals(MEMBERS + 2 * replacements, events.get(), "no event twice, none extra");
            assertEquals(List.of(), outOfSequence, "numbered 1, 2, 3… in the order they arrived");

            String info = cable.get("api/presence/" + URLEncoder.encode(stream, StandardCharsets.UTF_8) + "/users",
                    "Bearer " + Cable.API_KEY).body();
            assertTrue(info.startsWith("{\"type\":\"info\",\"total\":" + MEMBERS + ",\"seq\":"
                    + (MEMBERS + 2 * replacements) + ","), info.substring(0, Math.min(80, info.length())));
            Set<String> ids = new TreeSet<>();
            Matcher m = RECORD_ID.matcher(info);
            while (m.find()) {
                ids.add(m.group(1));
            }
            assertEquals(expected, ids, "the presence info is exactly the live members");
            live.values().forEach(Conn::close);
            counting.interrupt();
        }
    }

    /**
     * A member: on welcome it is live and subscribes, on confirmation it joins as {@code m<i>}, and it counts down
     * on its own join.
     */
    private static BiConsumer<Conn, String> member(String identifier, int i, Map<Integer, Conn> live,
                                                   CountDownLatch joined) {
        String id = "m" + i;
        return (conn, frame) -> {
            if (frame.startsWith("{\"type\":\"welcome\"")) {
                live.put(i, conn);
                conn.send(Cable.subscribe(identifier));
            } else if (frame.startsWith("{\"type\":\"confirm_subscription\"")) {
                conn.send(Cable.command("join", identifier, "\"presence\":{\"id\":\"" + id + "\",\"info\":{\"n\":"
                        + i + "}}"));
            } else if (frame.contains("\"type\":\"join\",\"id\":\"" + id + "\"")) {
                joined.countDown();
            }
        };
    }

    private void count(WsClient observer) {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                String frame = observer.nextWithin(60_000);
                if (frame == null) {
                    return;
                }
                Matcher m = EVENT.matcher(frame);
                if (frame.startsWith("{\"type\":\"presence\"") && m.find()) {
                    Matcher seq = SEQ.matcher(frame);
                    if (!seq.find() || Long.parseLong(seq.group(1)) != events.get() + 1) {
                        outOfSequence.add(frame + " after " + events.get() + " events");
                    }
                    (m.group(1).equals("join") ? joins : leaves)
                            .computeIfAbsent(m.group(2), k -> new AtomicInteger()).incrementAndGet();
                    synchronized (events) {
                        events.incrementAndGet();
                        events.notifyAll();
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitEvents(int count, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        synchronized (events) {
            while (events.get() < count) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    throw new AssertionError(what + ": " + events.get() + " of " + count + " presence events arrived");
                }
                events.wait(left);
            }
        }
    }

    private static int count(Map<String, AtomicInteger> counts, String id) {
        AtomicInteger n = counts.get(id);
        return n == null ? 0 : n.get();
    }
}
