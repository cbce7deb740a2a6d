package dev.jcable.streams;

/**
 * What a confirmed subscription streams from.
 *
 * @param stream   the stream name broadcasts are addressed to
 * @param presence whether {@code join}/{@code leave}/{@code presence} work on it
 * @param whisper  whether clients may whisper on it
 */
public record StreamSpec(String stream, boolean presence, boolean whisper) {
}
