-- User-defined properties of an entry (WebDAV dead properties, later xattrs): name -> bytes per inode.
-- Not versioned: they follow the inode through renames and stay with it in history; retention purges
-- them with the inode's last directory entry. BYTEA is BINARY VARYING in H2 and bytea in PostgreSQL.
CREATE TABLE file_properties (
    inode      BIGINT NOT NULL,
    name       VARCHAR(255) NOT NULL,
    prop_value BYTEA NOT NULL,
    PRIMARY KEY (inode, name)
);
