-- Sklad master schema. Portable SQL: H2 2.x (embedded) and PostgreSQL (later) both accept it.
-- Time is a transaction id; rows carry valid_from_tx / valid_to_tx (NULL = current).
-- Block ids are lowercase hex SHA-256 (CHAR(64)): binary column types differ between H2 and PostgreSQL.

-- One row. Every mutation starts by bumping last_tx here; the row lock serialises mutations, so tx ids
-- commit in order and "as of tx T" is always a complete state.
CREATE TABLE counters (
    id          INT PRIMARY KEY,
    last_tx     BIGINT NOT NULL,
    last_millis BIGINT NOT NULL,
    last_inode  BIGINT NOT NULL,
    last_volume BIGINT NOT NULL
);
INSERT INTO counters (id, last_tx, last_millis, last_inode, last_volume) VALUES (1, 0, 0, 0, 0);

CREATE TABLE tx (
    id        BIGINT PRIMARY KEY,
    at_millis BIGINT NOT NULL
);
CREATE INDEX tx_at ON tx (at_millis);

CREATE TABLE volumes (
    id           BIGINT PRIMARY KEY,
    name         VARCHAR(255) NOT NULL UNIQUE,
    replicas     INT NOT NULL,
    block_size   INT NOT NULL,
    write_quorum INT NOT NULL,
    root_inode   BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    created_tx   BIGINT NOT NULL
);

CREATE TABLE inodes (
    id             BIGINT PRIMARY KEY,
    volume_id      BIGINT NOT NULL,
    kind           SMALLINT NOT NULL,
    created_millis BIGINT NOT NULL
);

CREATE TABLE dentries (
    volume_id     BIGINT NOT NULL,
    parent_inode  BIGINT NOT NULL,
    name          VARCHAR(255) NOT NULL,
    inode         BIGINT NOT NULL,
    valid_from_tx BIGINT NOT NULL,
    valid_to_tx   BIGINT
);
-- lookups by parent + name (now or as of a tx) and sorted listing of a directory
CREATE INDEX dentries_lookup ON dentries (parent_inode, name, valid_from_tx);
-- walking up from an inode (rename into own subtree)
CREATE INDEX dentries_inode ON dentries (inode);

-- Attributes of every inode; version_tx is the content version (the commit that made it),
-- valid_from_tx the tx of this attribute row (SetAttributes adds rows within one version).
CREATE TABLE file_versions (
    inode          BIGINT NOT NULL,
    version_tx     BIGINT NOT NULL,
    size           BIGINT NOT NULL,
    mode           INT NOT NULL,
    uid            INT NOT NULL,
    gid            INT NOT NULL,
    mtime          BIGINT NOT NULL,
    atime          BIGINT NOT NULL,
    ctime          BIGINT NOT NULL,
    symlink_target VARCHAR(4096),
    valid_from_tx  BIGINT NOT NULL,
    valid_to_tx    BIGINT,
    PRIMARY KEY (inode, valid_from_tx)
);

CREATE TABLE block_map (
    inode          BIGINT NOT NULL,
    block_index    BIGINT NOT NULL,
    block_id       CHAR(64) NOT NULL,
    stored_length  BIGINT NOT NULL,
    valid_from_tx  BIGINT NOT NULL,
    valid_to_tx    BIGINT,
    PRIMARY KEY (inode, block_index, valid_from_tx)
);
CREATE INDEX block_map_block ON block_map (block_id);

CREATE TABLE blocks (
    block_id        CHAR(64) PRIMARY KEY,
    stored_length   BIGINT NOT NULL,
    replicas_wanted INT NOT NULL,
    created_at      BIGINT NOT NULL
);

-- report_gen / added_at let a streamed block report drop the rows it did not confirm
-- without holding the whole inventory in memory.
CREATE TABLE replicas (
    block_id   CHAR(64) NOT NULL,
    node_id    VARCHAR(64) NOT NULL,
    report_gen BIGINT NOT NULL,
    added_at   BIGINT NOT NULL,
    PRIMARY KEY (block_id, node_id)
);
CREATE INDEX replicas_node ON replicas (node_id);

CREATE TABLE nodes (
    node_id        VARCHAR(64) PRIMARY KEY,
    address        VARCHAR(255) NOT NULL,
    labels         VARCHAR(4000) NOT NULL,
    capacity       BIGINT NOT NULL,
    used           BIGINT NOT NULL,
    free           BIGINT NOT NULL,
    block_count    BIGINT NOT NULL,
    read_only      BOOLEAN NOT NULL,
    last_heartbeat BIGINT NOT NULL,
    registered_at  BIGINT NOT NULL,
    draining       BOOLEAN NOT NULL,
    report_gen     BIGINT NOT NULL
);

CREATE TABLE users (
    name       VARCHAR(255) PRIMARY KEY,
    pw_hash    VARCHAR(128) NOT NULL,
    salt       VARCHAR(128) NOT NULL,
    iterations INT NOT NULL,
    admin      BOOLEAN NOT NULL,
    disabled   BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE tokens (
    token_hash CHAR(64) PRIMARY KEY,
    user_name  VARCHAR(255) NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked    BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX tokens_user ON tokens (user_name);

CREATE TABLE grants (
    user_name VARCHAR(255) NOT NULL,
    volume_id BIGINT NOT NULL,
    role      VARCHAR(16) NOT NULL,
    PRIMARY KEY (user_name, volume_id)
);
