#!/usr/bin/env bash
# PUT and GET of a large random file with curl against the WebDAV drive of `sklad up`, against the same
# transfers with `rclone serve webdav` of a plain directory on the same disk (Debian package rclone),
# and each server's peak RSS (VmHWM).
# Usage: tests/bench/webdav.sh [SIZE_MIB]   (default 1024; java gets SKLAD_JAVA_OPTS, default -Xmx1g, as by ./sklad)
source "$(dirname "$0")/lib.sh"
size_mib="${1:-1024}"
bytes=$((size_mib * 1048576))
command -v rclone > /dev/null || { echo "bench: rclone is not installed (apt-get install rclone)"; exit 1; }
ensure_jar
d=$(bench_dir)
USER_PASS="admin:bench-Pass1"
RC_PID=""
DAV_PID=""

cleanup() {
  for p in $RC_PID $DAV_PID; do
    kill "$p" 2> /dev/null || true
    wait "$p" 2> /dev/null || true
  done
  rm -rf "$d"
}
trap cleanup EXIT

hwm_kib() { awk '/VmHWM/ {print $2}' "/proc/$1/status" 2> /dev/null || echo 0; }
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status" 2> /dev/null || echo 0; }
mib() { echo $(($1 / 1024)); }

# Waits until FILE shows REGEX (while process PID lives); sets AWAITED to the first capture group.
await_line() {
  local file="$1" regex="$2" pid="$3"
  for _ in $(seq 1 600); do
    if grep -qE "$regex" "$file" 2> /dev/null; then
      AWAITED=$(sed -nE "s#.*$regex.*#\1#p" "$file" | head -1)
      return 0
    fi
    kill -0 "$pid" 2> /dev/null || { cat "$file" >&2; return 1; }
    sleep 0.2
  done
  cat "$file" >&2
  return 1
}

# Like lib.sh's start_up, but java replaces the subshell, so DAV_PID is the server process itself.
# Sets DAV_URL.
start_sklad_up() {
  mkdir -p "$d/sklad"
  (cd "$d/sklad" && SKLAD_ADMIN_PASSWORD="${USER_PASS#*:}" exec java ${SKLAD_JAVA_OPTS:--Xmx1g} -jar "$JAR" up \
      --workers 3 --master-port 0 --webdav-port 0 --sftp-port 0 --no-fuse --no-sftp > "$d/sklad/up.log" 2>&1) &
  DAV_PID=$!
  await_line "$d/sklad/up.log" 'webdav: +(http://127\.0\.0\.1:[0-9]+/main/)' "$DAV_PID"
  DAV_URL=$AWAITED
}

# Sets RC_URL.
start_rclone() {
  mkdir -p "$d/rclone-root"
  rclone serve webdav --addr 127.0.0.1:0 --user "${USER_PASS%%:*}" --pass "${USER_PASS#*:}" \
      "$d/rclone-root" > "$d/rclone.log" 2>&1 &
  RC_PID=$!
  await_line "$d/rclone.log" 'WebDav Server started on (http://127\.0\.0\.1:[0-9]+/)' "$RC_PID"
  RC_URL=$AWAITED
}

# Prints the seconds one curl transfer takes; fails when curl does.
timed() {
  local start end
  start=$(now)
  curl -sS -f -u "$USER_PASS" "$@" > /dev/null || return 1
  end=$(now)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }'
}

# The transfer failed: say so with the server's last warnings, and stop.
failed() {
  echo "bench: $1 failed; last warnings of the server ($2):"
  grep -A1 -E 'WARN|ERROR' "$2" | grep -v -e 'Flyway' -e '^--$' -e '^\s*at ' | tail -6 | cut -c1-400
  exit 1
}

# Runs PUT and GET against base URL $1 for server pid $2 (log $3); sets PUT_S, GET_S, IDLE_RSS, PEAK_PUT, PEAK_GET.
put_get() {
  local url="$1" pid="$2" log="$3"
  IDLE_RSS=$(rss_kib "$pid")
  PUT_S=$(timed -T "$d/src.bin" "${url}bench.bin") || failed "PUT to $url" "$log"
  PEAK_PUT=$(hwm_kib "$pid")
  sync
  GET_S=$(timed -o "$d/back.bin" "${url}bench.bin") || failed "GET from $url" "$log"
  PEAK_GET=$(hwm_kib "$pid")
  [ "$src_sha" = "$(sha256sum < "$d/back.bin")" ] || { echo "bench: MISMATCH after round trip via $url"; exit 1; }
  rm -f "$d/back.bin"
}

echo "bench: $size_mib MiB random file, scratch in $d"
head -c "$bytes" /dev/urandom > "$d/src.bin"
src_sha=$(sha256sum < "$d/src.bin")
sync

start_rclone
put_get "$RC_URL" "$RC_PID" "$d/rclone.log"
rc_put=$(mbps "$bytes" "$PUT_S"); rc_get=$(mbps "$bytes" "$GET_S")
printf '%-40s %10s %8s\n' "transfer ($size_mib MiB, curl)" "MB/s" "ratio"
printf '%-40s %10s %8s\n' "PUT rclone serve webdav (baseline)" "$rc_put" "1.00"
printf '%-40s %10s %8s\n' "GET rclone serve webdav (baseline)" "$rc_get" "1.00"
echo "RSS rclone: idle $(mib "$IDLE_RSS") MiB, peak after PUT $(mib "$PEAK_PUT") MiB, after GET $(mib "$PEAK_GET") MiB"
kill "$RC_PID"; wait "$RC_PID" 2> /dev/null || true; RC_PID=""
rm -rf "$d/rclone-root"
sync

start_sklad_up
put_get "$DAV_URL" "$DAV_PID" "$d/sklad/up.log"
sk_put=$(mbps "$bytes" "$PUT_S"); sk_get=$(mbps "$bytes" "$GET_S")
printf '%-40s %10s %8s\n' "PUT sklad up WebDAV" "$sk_put" "$(ratio "$sk_put" "$rc_put")"
printf '%-40s %10s %8s\n' "GET sklad up WebDAV" "$sk_get" "$(ratio "$sk_get" "$rc_get")"
echo "RSS sklad up (master + 3 workers + agent, one JVM): idle $(mib "$IDLE_RSS") MiB," \
     "peak after PUT $(mib "$PEAK_PUT") MiB, after GET $(mib "$PEAK_GET") MiB"
