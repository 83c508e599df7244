#!/usr/bin/env bash
# put and get of a large file on `sklad up`, against `cp` of the same file on the same disk.
# Usage: tests/bench/put-get.sh [SIZE_MIB]   (default 1024)
source "$(dirname "$0")/lib.sh"
size_mib="${1:-1024}"
bytes=$((size_mib * 1048576))
ensure_jar
d=$(bench_dir)
trap 'stop_up; rm -rf "$d"' EXIT

echo "bench: $size_mib MiB random file in $d"
head -c "$bytes" /dev/urandom > "$d/src.bin"
sync

read -r t_cp _ < <(measure sh -c "cp '$d/src.bin' '$d/copy.bin' && sync")
rm -f "$d/copy.bin"

start_up "$d"
read -r t_put rss_put < <(measure sklad put "$d/src.bin" /main/bench.bin)
read -r t_get rss_get < <(measure sklad get /main/bench.bin "$d/back.bin")
sync
[ "$(sha256sum < "$d/src.bin")" = "$(sha256sum < "$d/back.bin")" ] || { echo "bench: MISMATCH after round trip"; exit 1; }
up_rss=$(awk '/VmHWM/ {print $2}' "/proc/$UP_PID/status" 2>/dev/null || echo 0)

cp_rate=$(mbps "$bytes" "$t_cp"); put_rate=$(mbps "$bytes" "$t_put"); get_rate=$(mbps "$bytes" "$t_get")
printf '%-28s %10s %8s\n' "operation" "MB/s" "ratio"
printf '%-28s %10s %8s\n' "cp (baseline, same disk)" "$cp_rate" "1.00"
printf '%-28s %10s %8s\n' "sklad put" "$put_rate" "$(ratio "$put_rate" "$cp_rate")"
printf '%-28s %10s %8s\n' "sklad get" "$get_rate" "$(ratio "$get_rate" "$cp_rate")"
echo "peak RSS: agent during put $((rss_put / 1024)) MiB, during get $((rss_get / 1024)) MiB; 'sklad up' (master + 3 workers) $((up_rss / 1024)) MiB"
