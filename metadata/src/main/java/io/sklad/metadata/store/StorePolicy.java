package io.sklad.metadata.store;

import java.time.Duration;

/** The store's tunables: node silence thresholds and the write quorum cap. */
public record StorePolicy(Duration suspectAfter, Duration deadAfter, int writeQuorum) {
    public StorePolicy {
        if (suspectAfter.isNegative() || deadAfter.compareTo(suspectAfter) < 0 || writeQuorum < 1) {
            throw new IllegalArgumentException("need 0 <= suspectAfter <= deadAfter and writeQuorum >= 1");
        }
    }
}
