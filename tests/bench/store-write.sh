#!/usr/bin/env bash
# The worker store's write rate with 64 KiB blocks (batched, group fsync) against the disk's own
# sequential rate, measured in the same directory in the same run.
# Usage: tests/bench/store-write.sh [SIZE_MIB] [BATCH_BLOCKS]   (default 1024, 64)
source "$(dirname "$0")/lib.sh"
ensure_jar
d=$(bench_dir)
trap 'rm -rf "$d"' EXIT
java -cp "$JAR" io.sklad.chunkstore.store.StoreWriteBenchmark "$d" "${1:-1024}" 65536 "${2:-64}"
