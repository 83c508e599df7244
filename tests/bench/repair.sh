#!/usr/bin/env bash
# Repair after losing a worker: `sklad master` + WORKERS (default 4) `sklad worker` processes, R=3, SIZE_MIB
# (default 2048) of random data written with `sklad put`; one worker is killed with kill -9 and the master's
# status is polled until every block is back at 3 copies. Prints the repair rate (MB/s of copies re-made,
# from the dead timeout to full redundancy), the time to full redundancy from the kill, and `cp` + `sync` of
# the same data on the same disk as the baseline.
# Usage: tests/bench/repair.sh [SIZE_MIB]
source "$(dirname "$0")/lib.sh"
size_mib="${1:-2048}"
bytes=$((size_mib * 1048576))
workers="${WORKERS:-4}"
dead_after="${DEAD_AFTER:-5}"
ensure_jar
d=$(bench_dir)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$d"
}
trap cleanup EXIT

echo "bench: $size_mib MiB in files of 256 MiB, $workers workers, R=3, in $d"
parts=$(( (size_mib + 255) / 256 ))
mkdir -p "$d/src"
for i in $(seq 1 "$parts"); do
  head -c $((256 * 1048576)) /dev/urandom > "$d/src/part$i.bin"
done
sync
read -r t_cp _ < <(measure sh -c "cp -r '$d/src' '$d/copy' && sync")
rm -rf "$d/copy"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export SKLAD_MASTER="127.0.0.1:$port" SKLAD_USER=admin SKLAD_PASSWORD=bench-Pass1 XDG_CACHE_HOME="$d/cache"
(cd "$d" && SKLAD_ADMIN_PASSWORD=bench-Pass1 exec java -jar "$JAR" master --data "$d/master" --listen "127.0.0.1:$port" \
    --suspect-after 2s --dead-after "${dead_after}s" --repair-interval 1s ${MASTER_FLAGS:-} > "$d/master.log" 2>&1) &
pids+=($!)
for _ in $(seq 1 300); do grep -q "listening on" "$d/master.log" 2>/dev/null && break; sleep 0.2; done
for i in $(seq 0 $((workers - 1))); do
  (cd "$d" && exec java -jar "$JAR" worker --data "$d/w$i" --listen 127.0.0.1:0 --heartbeat 1s \
      --join-token-file "$d/master/join.token" > "$d/w$i.log" 2>&1) &
  pids+=($!)
done
sk() { (cd "$d" && java -jar "$JAR" "$@"); }
status_field() { sk status --json | python3 -c "import json,sys; s=json.load(sys.stdin); print($1)"; }
for _ in $(seq 1 120); do
  [ "$(status_field "sum(n['state']=='alive' for n in s['nodes'])" 2>/dev/null || echo 0)" = "$workers" ] && break
  sleep 0.5
done
sk volume create main --replicas 3 > /dev/null
t0=$(now)
for f in "$d"/src/*.bin; do sk put "$f" "/main/$(basename "$f")" > /dev/null; done
t_put=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }')

victim=${pids[1]}
victim_blocks=$(java -jar "$JAR" worker ls --data "$d/w0" | wc -l)
t_kill=$(now)
kill -9 "$victim"
# the dead timeout first: until then the silent worker's copies still count
while [ "$(status_field "sum(n['state']=='dead' for n in s['nodes'])")" != "1" ]; do sleep 0.2; done
t_dead=$(now)
at_risk_bytes=$(status_field "s['repair']['bytes_at_risk']")
while true; do
  line=$(status_field "'%d %d %d' % (s['repair']['blocks_at_risk'], s['repair']['blocks_repairing'], s['repair']['repaired_bytes_per_second'])")
  set -- $line
  [ "$1" = "0" ] && [ "$2" = "0" ] && break
  sleep 0.5
done
t_done=$(now)
t_repair=$(awk -v a="$t_dead" -v b="$t_done" 'BEGIN { printf "%.3f", b - a }')
t_full=$(awk -v a="$t_kill" -v b="$t_done" 'BEGIN { printf "%.3f", b - a }')
repaired=$(status_field "s['repair']['repaired_blocks']")

cp_rate=$(mbps "$bytes" "$t_cp"); put_rate=$(mbps "$bytes" "$t_put"); repair_rate=$(mbps "$at_risk_bytes" "$t_repair")
echo "killed worker held $victim_blocks blocks; $repaired copies re-made ($((at_risk_bytes / 1048576)) MiB)"
printf '%-44s %10s %8s\n' "operation" "MB/s" "ratio"
printf '%-44s %10s %8s\n' "cp -r + sync (baseline, same disk)" "$cp_rate" "1.00"
printf '%-44s %10s %8s\n' "sklad put (R=3, for reference)" "$put_rate" "$(ratio "$put_rate" "$cp_rate")"
printf '%-44s %10s %8s\n' "repair (dead -> full redundancy)" "$repair_rate" "$(ratio "$repair_rate" "$cp_rate")"
echo "time to full redundancy after kill -9: ${t_full} s (dead timeout ${dead_after} s + repair ${t_repair} s)"
