package io.sklad.metadata.store;

/** Outcome of a heartbeat: whether the node is known. */
public record HeartbeatResult(boolean known) {
}
