package dev.jcable.metrics;

import java.util.concurrent.atomic.LongAdder;

/**
 * Every event jcable counts. Each is a {@link LongAdder}: bumping one from a hot path (a frame written, a message
 * received) is one uncontended add with no lock and no allocation, and the layers that count (session, broker, node)
 * know nothing of the metrics library. {@link CableMetrics} reads the sums when Prometheus scrapes.
 *
 * <p>Names are Prometheus names without the {@code _total} the text format appends to counters. AnyCable's own
 * metrics keep its names ({@code anycable_go_…}), so dashboards built for anycable-go read jcable unchanged.
 */
public enum Counter {
    CLIENT_MSG("anycable_go_client_msg", "The total number of received messages from clients"),
    FAILED_CLIENT_MSG("anycable_go_failed_client_msg",
            "The total number of unrecognized messages received from clients"),
    DATA_RCVD("anycable_go_data_rcvd", "The total amount of bytes received from clients (UTF-8 payloads)"),
    SERVER_MSG("anycable_go_server_msg", "The total number of messages sent to clients"),
    FAILED_SERVER_MSG("anycable_go_failed_server_msg", "The total number of messages failed to send to clients"),
    DATA_SENT("anycable_go_data_sent", "The total amount of bytes sent to clients (UTF-8 payloads)"),
    FAILED_AUTHS("anycable_go_failed_auths", "The total number of failed authentication attempts"),
    PUBLICATIONS("anycable_go_publications",
            "The total number of publications received from the application (HTTP, Redis, Java API)"),
    FAILED_BROADCAST_MSG("anycable_go_failed_broadcast_msg",
            "The total number of unrecognized publications received from the application"),
    BROADCAST_MSG("anycable_go_broadcast_msg", "The total number of messages this node fanned out to a stream"),
    PRESENCE_JOIN("jcable_presence_events", "event", "join", "Presence events this node fanned out"),
    PRESENCE_LEAVE("jcable_presence_events", "event", "leave", "Presence events this node fanned out"),
    DISCONNECT_TOO_SLOW("jcable_disconnects", "reason", "too_slow", Disconnects.HELP),
    DISCONNECT_NO_PONG("jcable_disconnects", "reason", "no_pong", Disconnects.HELP),
    DISCONNECT_SERVER_RESTART("jcable_disconnects", "reason", "server_restart", Disconnects.HELP),
    DISCONNECT_UNAUTHORIZED("jcable_disconnects", "reason", "unauthorized", Disconnects.HELP),
    DISCONNECT_WRITE_FAILED("jcable_disconnects", "reason", "write_failed", Disconnects.HELP),
    DISCONNECT_OTHER("jcable_disconnects", "reason", "other", Disconnects.HELP),
    BROKER_ERRORS("jcable_broker_errors", "Broker calls that failed: Redis errors, timeouts, lost connections"),
    RPC_CALL("anycable_go_rpc_call", "The total number of RPC calls"),
    RPC_RETRIES("anycable_go_rpc_retries", "The total number of RPC call retries"),
    RPC_ERROR("anycable_go_rpc_error", "The total number of failed RPC calls"),
    DROPPED_PRESENCE_EVENT("jcable_dropped", "what", "presence_event", Dropped.HELP),
    DROPPED_WHISPER("jcable_dropped", "what", "whisper", Dropped.HELP),
    DROPPED_APPLICATION_EVENT("jcable_dropped", "what", "application_event", Dropped.HELP),
    DROPPED_WEBHOOK_EVENT("jcable_dropped", "what", "webhook_event", Dropped.HELP);

    private final String metric;
    private final String tagKey;
    private final String tagValue;
    private final String help;
    private final LongAdder adder = new LongAdder();

    Counter(String metric, String help) {
        this(metric, null, null, help);
    }

    Counter(String metric, String tagKey, String tagValue, String help) {
        this.metric = metric;
        this.tagKey = tagKey;
        this.tagValue = tagValue;
        this.help = help;
    }

    public void increment() {
        adder.increment();
    }

    public void add(long amount) {
        adder.add(amount);
    }

    /** The count since the deployment started. */
    public long count() {
        return adder.sum();
    }

    /** The Prometheus name, without {@code _total}. */
    public String metric() {
        return metric;
    }

    /** The label that tells this counter from its siblings of the same name, or null. */
    String tagKey() {
        return tagKey;
    }

    String tagValue() {
        return tagValue;
    }

    String help() {
        return help;
    }

    /** Work dropped at a bound (docs/configuration.md, "What the limits bound"), by what it was. */
    static final class Dropped {
        static final String HELP = "Work dropped because its queue was full, by what it was (each bound says who is"
                + " told: see docs/configuration.md)";

        private Dropped() {
        }
    }

    /** Disconnects by the reason the client is told; one counter per reason jcable sends. */
    public static final class Disconnects {
        static final String HELP = "Connections the server closed, by the reason it told the client";

        private Disconnects() {
        }

        /** Counts a disconnect; a reason without its own counter counts as {@code other}, so labels stay a fixed set. */
        public static void count(String reason) {
            switch (reason) {
                case "too_slow" -> DISCONNECT_TOO_SLOW.increment();
                case "no_pong" -> DISCONNECT_NO_PONG.increment();
                case "server_restart" -> DISCONNECT_SERVER_RESTART.increment();
                case "unauthorized" -> DISCONNECT_UNAUTHORIZED.increment();
                case "write_failed" -> DISCONNECT_WRITE_FAILED.increment();
                default -> DISCONNECT_OTHER.increment();
            }
        }
    }
}
