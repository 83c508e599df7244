package io.sklad.vfs.client;

/** Write lease modes (see lease.proto): leases of one holder never conflict with each other. */
public enum LeaseMode {
    /** Read-write; keeps out every other holder. */
    EXCLUSIVE,
    /** Many readers; keeps out EXCLUSIVE only. */
    SHARED_READ,
    /** One writer with shared readers; keeps out EXCLUSIVE and another writer. */
    WRITE_SHARED_READ
}
