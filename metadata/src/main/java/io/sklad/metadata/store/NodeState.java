package io.sklad.metadata.store;

/** A worker's state as computed from its last heartbeat and flags. */
public enum NodeState {
    ALIVE, SUSPECT, DEAD, DRAINING
}
