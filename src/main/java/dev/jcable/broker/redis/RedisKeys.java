package dev.jcable.broker.redis;

/**
 * Every Redis key and channel of one deployment, below {@code redis_prefix}. A stream's keys and its channel share
 * the hash tag {@code {stream}}, so each script touches one hash slot; only the sweep index spans streams.
 */
record RedisKeys(String prefix) {

    /** The channel of {@code stream}'s messages and presence events: {@code <prefix>:{<stream>}}. */
    String channel(String stream) {
        return prefix + ":{" + stream + "}";
    }

    /** The channel every node listens on for remote commands ({@code disconnect}): {@code <prefix>:control}. */
    String control() {
        return prefix + ":control";
    }

    /** The stream of a channel from {@link #channel}, or null for another channel. */
    String streamOf(String channel) {
        int start = prefix.length() + 2;
        if (channel.length() < start + 1 || !channel.startsWith(prefix + ":{") || !channel.endsWith("}")) {
            return null;
        }
        return channel.substring(start, channel.length() - 1);
    }

    /** History (a Redis Stream, entry ID = offset) and meta (HASH e = epoch, s = latest offset) of a stream. */
    String[] history(String stream) {
        String base = channel(stream);
        return new String[] {base + ":h", base + ":m"};
    }

    String meta(String stream) {
        return channel(stream) + ":m";
    }

    /** The presence keys of a stream and the sweep index, in the order the scripts take them (see lib.lua). */
    String[] presence(String stream) {
        String base = channel(stream);
        return new String[] {base + ":ps", base + ":pc", base + ":pi", base + ":po", base + ":pz", sweepIndex(),
            base + ":pt", base + ":pn"};
    }

    /**
     * The occupancy keys of a stream, laid out as its presence keys ({@link RedisOccupancy} runs the presence scripts
     * on them): each node with subscribers of the stream holds one record, leased as a live session's presence.
     */
    String[] occupancy(String stream) {
        String base = channel(stream);
        return new String[] {base + ":os", base + ":oc", base + ":oi", base + ":oo", base + ":oz", occupancyIndex(),
            base + ":ot", base + ":on"};
    }

    /** The occupancy records' sweep index (ZSET stream → earliest deadline): exactly the occupied streams. */
    String occupancyIndex() {
        return prefix + ":occupied";
    }

    /** Where the presence scripts publish occupancy's joins and leaves: no node listens, the script's reply counts. */
    String occupancyChannel() {
        return prefix + ":occupancy";
    }

    /** The ZSET id → join time of a stream's presence members (KEYS[4] of the presence scripts): one per member. */
    String presenceMembers(String stream) {
        return presence(stream)[3];
    }

    /**
     * ZSET stream → its earliest presence deadline: what the sweepers of every node work off. It holds exactly the
     * streams with presence records (the scripts add a stream with its first record and drop it with its last).
     */
    /** A node's own liveness channel (RedisLink): it publishes there and must hear it back. */
    String aliveChannel(String node) {
        return prefix + ":alive:" + node;
    }

    String sweepIndex() {
        return prefix + ":presence-due";
    }

    /** The data mark (presence_mark.lua): gone when Redis lost its data. */
    String dataMark() {
        return sweepIndex() + ":mark";
    }

    /** A restorable session's state, kept for {@code sessions_ttl}. */
    String session(String sid) {
        return prefix + ":session:" + sid;
    }
}
