-- Self-healing: volume retention, garbage-collection marks, ids workers hold that the master never heard of,
-- and recent deletion orders (so a commit never counts an acknowledgement that a deletion may have undone).

-- NULL = keep history forever.
ALTER TABLE volumes ADD COLUMN retention_millis BIGINT;

-- Wall-clock millis since the block was first seen with no block_map row; NULL = referenced.
ALTER TABLE blocks ADD COLUMN unreferenced_since BIGINT;

-- Ids a worker reported that are not in blocks (uploads never committed, leftovers): deleted after the grace period.
CREATE TABLE orphan_replicas (
    block_id   CHAR(64) NOT NULL,
    node_id    VARCHAR(64) NOT NULL,
    first_seen BIGINT NOT NULL,
    report_gen BIGINT NOT NULL,
    PRIMARY KEY (block_id, node_id)
);
CREATE INDEX orphan_replicas_node ON orphan_replicas (node_id);

CREATE TABLE gc_deletions (
    block_id   CHAR(64) NOT NULL,
    node_id    VARCHAR(64) NOT NULL,
    ordered_at BIGINT NOT NULL,
    PRIMARY KEY (block_id, node_id)
);
CREATE INDEX gc_deletions_at ON gc_deletions (ordered_at);

-- retention purges closed rows by their closing tx
CREATE INDEX block_map_valid_to ON block_map (valid_to_tx);
CREATE INDEX file_versions_valid_to ON file_versions (valid_to_tx);
CREATE INDEX dentries_valid_to ON dentries (valid_to_tx);
