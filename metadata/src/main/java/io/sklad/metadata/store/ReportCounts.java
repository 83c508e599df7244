package io.sklad.metadata.store;

/** Block report tally: ids the master knows and ids it has no record of. */
public record ReportCounts(long known, long unknown) {
    public ReportCounts plus(ReportCounts other) {
        return new ReportCounts(known + other.known, unknown + other.unknown);
    }
}
