package dev.jcable.api;

import jakarta.json.JsonObject;

/** CDI event: a connection was accepted on this node (after identification), with its identifiers. */
public record ConnectionOpened(String sid, JsonObject identifiers) {
}
