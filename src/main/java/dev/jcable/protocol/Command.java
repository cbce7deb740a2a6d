package dev.jcable.protocol;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

/**
 * One decoded client frame: {@code {"command":…,"identifier":…,"data":…,"presence":…,"history":…}}.
 *
 * @param command    the command name, never null
 * @param identifier the subscription identifier exactly as sent (compared and echoed verbatim), or null
 * @param data       the {@code data} member as sent (a string for {@code message}, an object otherwise), or null
 * @param presence   the {@code presence} member ({@code {id, info}}), or null
 * @param history    the {@code history} member ({@code {since, streams}}), or null
 */
public record Command(String command, String identifier, JsonValue data, JsonObject presence, JsonObject history) {
}
