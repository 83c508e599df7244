package io.sklad.vfs.client;

/** A worker's liveness as the master sees it. */
public enum NodeState {
    UNKNOWN, ALIVE, SUSPECT, DEAD, DRAINING
}
