-- Block ids and token hashes from CHAR(64) to VARCHAR(64). The values stay the same (always 64 lowercase
-- hex characters), only the type changes: H2 compares a CHAR column with a VARCHAR parameter by converting
-- the parameter to CHAR at every comparison (every step of a B-tree search, every element of an IN list),
-- which was 7.7 % of the CPU samples of `sklad up` in a put and get (register, commit, block maps).
-- VARCHAR compares as is.
ALTER TABLE block_map ALTER COLUMN block_id SET DATA TYPE VARCHAR(64);
ALTER TABLE blocks ALTER COLUMN block_id SET DATA TYPE VARCHAR(64);
ALTER TABLE replicas ALTER COLUMN block_id SET DATA TYPE VARCHAR(64);
ALTER TABLE orphan_replicas ALTER COLUMN block_id SET DATA TYPE VARCHAR(64);
ALTER TABLE gc_deletions ALTER COLUMN block_id SET DATA TYPE VARCHAR(64);
ALTER TABLE tokens ALTER COLUMN token_hash SET DATA TYPE VARCHAR(64);
