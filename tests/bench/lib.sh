# Shared helpers for the benchmark scripts (sourced, not run).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
JAR="$ROOT/cli/target/sklad.jar"

ensure_jar() {
  [ -f "$JAR" ] || (cd "$ROOT" && mvn -B -q -DskipTests package -pl cli -am)
}

# A scratch directory on the same disk as the data (override with BENCH_DIR).
bench_dir() {
  local d="${BENCH_DIR:-$ROOT/target/bench}"
  mkdir -p "$d"
  mktemp -d -p "$d"
}

now() { date +%s.%N; }
mbps() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.1f", b / 1048576 / s }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

# Peak RSS (VmHWM, KiB) of a process and its descendants: a measured shell function runs java in a subshell.
tree_hwm() {
  local pid="$1" peak child h
  peak=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
  peak=${peak:-0}
  for child in $(pgrep -P "$pid" 2>/dev/null || true); do
    h=$(tree_hwm "$child")
    [ "$h" -gt "$peak" ] && peak=$h
  done
  echo "$peak"
}

# Runs a command and prints "<seconds> <peak RSS KiB>" of it (polls VmHWM of its process tree while it runs).
measure() {
  local start end pid peak=0 hwm
  start=$(now)
  "$@" &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    hwm=$(tree_hwm "$pid")
    [ -n "$hwm" ] && [ "$hwm" -gt "$peak" ] && peak=$hwm
    sleep 0.2
  done
  wait "$pid"
  end=$(now)
  echo "$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }') $peak"
}

# Starts `sklad up` in the background on ephemeral ports with the launcher's heap (SKLAD_JAVA_OPTS, default
# -Xmx1g); java replaces the subshell, so UP_PID is the server itself. Sets UP_PID and UP_DIR.
start_up() {
  UP_DIR="$1"
  (cd "$UP_DIR" && SKLAD_ADMIN_PASSWORD=bench-Pass1 exec java ${SKLAD_JAVA_OPTS:--Xmx1g} -jar "$JAR" up --workers "${WORKERS:-3}" \
      --master-port 0 --webdav-port 0 --sftp-port 0 ${UP_FLAGS:---no-fuse} > "$UP_DIR/up.log" 2>&1) &
  UP_PID=$!
  for _ in $(seq 1 300); do
    grep -q "Sklad is up" "$UP_DIR/up.log" 2>/dev/null && return 0
    kill -0 "$UP_PID" 2>/dev/null || { cat "$UP_DIR/up.log"; return 1; }
    sleep 0.2
  done
  cat "$UP_DIR/up.log"; return 1
}

stop_up() {
  [ -n "${UP_PID:-}" ] && kill "$UP_PID" 2>/dev/null && wait "$UP_PID" 2>/dev/null || true
}

sklad() { (cd "$UP_DIR" && exec java ${SKLAD_JAVA_OPTS:--Xmx1g} -jar "$JAR" "$@"); }
