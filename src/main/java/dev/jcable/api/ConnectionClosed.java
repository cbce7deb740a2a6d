package dev.jcable.api;

import jakarta.json.JsonObject;

/** CDI event: an accepted connection of this node closed (for whatever reason), with its identifiers. */
public record ConnectionClosed(String sid, JsonObject identifiers) {
}
