package io.sklad.metadata.lease;

/** What a lease lets its holder do, and so whom it keeps out. */
public enum LeaseMode {
    /** Read-write; no other holder may hold any lease. */
    EXCLUSIVE,
    /** Many readers; keeps out EXCLUSIVE only. */
    SHARED_READ,
    /** One writer with shared readers; keeps out EXCLUSIVE and another writer. */
    WRITE_SHARED_READ;

    /** Whether the holder may commit under this lease (and so others may not). */
    public boolean writes() {
        return this != SHARED_READ;
    }

    /** Whether leases of two different holders in these modes may coexist on one file. */
    public boolean compatibleWith(LeaseMode other) {
        if (this == EXCLUSIVE || other == EXCLUSIVE) {
            return false;
        }
        return !(this.writes() && other.writes());
    }
}
