#!/usr/bin/env bash
# The FUSE drive against a plain directory on the same disk, in the same run:
#  * sequential write (dd bs=1M conv=fsync) and read of SIZE_MIB of random data, MB/s;
#  * create, stat and unlink of SMALL_FILES files of 1 KiB (one perl process, no fork per file), ops/s;
#  * the agent's peak RSS (VmHWM of the `sklad mount` process serving the mount) during the write.
# The cluster is `sklad up --no-fuse`; the mount is a separate `sklad mount main DIR` process, so its RSS
# is the agent's alone; it runs with the ./sklad launcher's heap (SKLAD_JAVA_OPTS, default -Xmx1g).
# MODES="multi single" measures libfuse's multi-threaded default and `-s` (--single-threaded) for the
# sequential part; the small files run on the first mode only.
# The plain read is O_DIRECT (from the disk, not the page cache the write just filled). A write or read
# that fails shows as FAILED (with the mount's last warnings); logs of the last run: target/bench/fuse-*.log.
# Usage: tests/bench/fuse.sh [SIZE_MIB] [SMALL_FILES]   (default 2048, 10000; needs FUSE, perl)
source "$(dirname "$0")/lib.sh"
size_mib="${1:-2048}"
files="${2:-10000}"
modes="${MODES:-multi single}"
bytes=$((size_mib * 1048576))
ensure_jar
d=$(bench_dir)
MNT="$d/mnt"
MOUNT_PID=""

# Variant of lib.sh's start_up: exec, so the pid is java's own and SIGTERM reaches it.
start_up_fuse_off() {
  UP_DIR="$1"
  (cd "$UP_DIR" && SKLAD_ADMIN_PASSWORD=bench-Pass1 exec java -jar "$JAR" up --workers "${WORKERS:-3}" \
      --master-port 0 --webdav-port 0 --sftp-port 0 --no-fuse --no-webdav --no-sftp > "$UP_DIR/up.log" 2>&1) &
  UP_PID=$!
  await_line "$UP_DIR/up.log" "Sklad is up" "$UP_PID"
}

await_line() { # file pattern pid
  for _ in $(seq 1 600); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    kill -0 "$3" 2>/dev/null || { cat "$1"; return 1; }
    sleep 0.2
  done
  cat "$1"; return 1
}

start_mount() { # extra flags for `sklad mount`
  mkdir -p "$MNT"
  # shellcheck disable=SC2086 # the options are words, as in the ./sklad launcher
  (cd "$UP_DIR" && XDG_CACHE_HOME="$d/agent-cache" exec java ${SKLAD_JAVA_OPTS:--Xmx1g} -jar "$JAR" mount main "$MNT" "$@" \
      > "$d/mount.log" 2>&1) &
  MOUNT_PID=$!
  await_line "$d/mount.log" "mounted volume" "$MOUNT_PID"
}

stop_mount() {
  if [ -n "$MOUNT_PID" ]; then
    kill "$MOUNT_PID" 2>/dev/null && wait "$MOUNT_PID" 2>/dev/null || true
    MOUNT_PID=""
  fi
  if grep -q " $MNT " /proc/self/mounts 2>/dev/null; then fusermount -u "$MNT" 2>/dev/null || umount -l "$MNT" || true; fi
}

# the logs of the last run stay next to the scratch directories (target/bench/fuse-*.log)
cleanup() {
  set +e
  stop_mount
  [ -n "${UP_PID:-}" ] && kill "$UP_PID" 2>/dev/null && wait "$UP_PID" 2>/dev/null
  for f in up mount; do [ -f "$d/$f.log" ] && cp "$d/$f.log" "$(dirname "$d")/fuse-$f.log"; done
  rm -rf "$d"
}
trap cleanup EXIT

seconds() { # runs a command, prints its wall time, or FAILED (its error goes to stderr)
  local s e
  s=$(now)
  if ! "$@" > /dev/null; then echo FAILED; return 0; fi
  e=$(now)
  awk -v a="$s" -v b="$e" 'BEGIN { printf "%.3f", b - a }'
}
rate() { [ "$2" = FAILED ] && echo FAILED || mbps "$1" "$2"; }

small_files() { # dir count -> "create stat unlink" seconds
  perl -MTime::HiRes=time -e '
    my ($dir, $n) = @ARGV; my $data = "x" x 1024;
    my $t0 = time;
    for my $i (1 .. $n) { open(my $f, ">", "$dir/f$i") or die "create $i: $!"; print $f $data; close($f) or die "close $i: $!"; }
    my $t1 = time;
    for my $i (1 .. $n) { my @s = stat("$dir/f$i") or die "stat $i: $!"; $s[7] == 1024 or die "size of $i: $s[7]"; }
    my $t2 = time;
    for my $i (1 .. $n) { unlink("$dir/f$i") or die "unlink $i: $!"; }
    my $t3 = time;
    printf "%.6f %.6f %.6f\n", $t1 - $t0, $t2 - $t1, $t3 - $t2;' "$1" "$2"
}

ops() { awk -v n="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.0f", n / s; else print "n/a" }'; }
# lib.sh's ratio with three significant digits: the small-file ratios are far below 0.01
ratio3() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0 && a ~ /^[0-9.]+$/) printf "%.3g", a / b; else print "n/a" }'; }
hwm_mib() { awk '/VmHWM/ { printf "%d", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo "?"; }

echo "bench: $size_mib MiB sequential, $files small files, modes: $modes; scratch $d"
head -c "$bytes" /dev/urandom > "$d/src.bin"
sync

# ---- plain directory, same disk
mkdir -p "$d/plain/small"
t_pw=$(seconds dd if="$d/src.bin" of="$d/plain/big.bin" bs=1M conv=fsync status=none)
t_pr=$(seconds dd if="$d/plain/big.bin" of=/dev/null bs=1M iflag=direct status=none)
t_prc=$(seconds dd if="$d/plain/big.bin" of=/dev/null bs=1M status=none)
rm -f "$d/plain/big.bin"
[ "$files" -gt 0 ] && read -r p_c p_s p_u < <(small_files "$d/plain/small" "$files")

# ---- the drive
start_up_fuse_off "$d"
declare -A w r rss
first=""
for mode in $modes; do
  flags=()
  [ "$mode" = single ] && flags=(--single-threaded)
  start_mount "${flags[@]}"
  # a different byte offset per mode: no block of this run's file dedups against the last one's
  shift_bytes=$([ "$mode" = single ] && echo 1 || echo 0)
  expected=$(tail -c +$((shift_bytes + 1)) "$d/src.bin" | sha256sum | cut -d' ' -f1)
  w[$mode]=$(seconds dd if="$d/src.bin" of="$MNT/big-$mode.bin" bs=1M iflag=skip_bytes skip="$shift_bytes" conv=fsync status=none)
  rss[$mode]=$(hwm_mib "$MOUNT_PID")
  if [ "${w[$mode]}" = FAILED ]; then
    echo "bench: the $mode-mode write failed; its warnings:"
    grep -E " (WARN|ERROR) " "$d/mount.log" | cut -c1-240 | tail -n 5
  fi
  s=$(now)
  got=$(dd if="$MNT/big-$mode.bin" bs=1M status=none | sha256sum | cut -d' ' -f1)
  e=$(now)
  r[$mode]=$(awk -v a="$s" -v b="$e" 'BEGIN { printf "%.3f", b - a }')
  [ "$got" = "$expected" ] || { echo "bench: MISMATCH reading back the $mode-mode file"; r[$mode]=FAILED; }
  rm -f "$MNT/big-$mode.bin" || echo "bench: could not remove the $mode-mode file"
  if [ -z "$first" ] && [ "$files" -gt 0 ]; then
    first=$mode
    mkdir -p "$MNT/small"
    read -r m_c m_s m_u < <(small_files "$MNT/small" "$files")
    rmdir "$MNT/small"
  fi
  stop_mount
done

pw=$(mbps "$bytes" "$t_pw"); pr=$(mbps "$bytes" "$t_pr"); prc=$(mbps "$bytes" "$t_prc")
printf '\n%-40s %12s %14s %7s\n' "operation" "plain" "mount" "ratio"
for mode in $modes; do
  label=$([ "$mode" = single ] && echo "(-s)" || echo "(multi-threaded)")
  mw=$(rate "$bytes" "${w[$mode]}"); mr=$(rate "$bytes" "${r[$mode]}")
  printf '%-40s %12s %14s %7s\n' "seq write $size_mib MiB, MB/s $label" "$pw" "$mw" "$(ratio3 "$mw" "$pw")"
  printf '%-40s %12s %14s %7s\n' "seq read  $size_mib MiB, MB/s $label" "$pr" "$mr" "$(ratio3 "$mr" "$pr")"
done
printf '%-40s %12s\n' "  (plain read from page cache, MB/s)" "$prc"
if [ "$files" -gt 0 ]; then
  pc=$(ops "$files" "$p_c"); ps_=$(ops "$files" "$p_s"); pu=$(ops "$files" "$p_u"); pt=$(ops $((3 * files)) "$(awk -v a="$p_c" -v b="$p_s" -v c="$p_u" 'BEGIN { print a + b + c }')")
  mc=$(ops "$files" "$m_c"); ms=$(ops "$files" "$m_s"); mu=$(ops "$files" "$m_u"); mt=$(ops $((3 * files)) "$(awk -v a="$m_c" -v b="$m_s" -v c="$m_u" 'BEGIN { print a + b + c }')")
  printf '%-40s %12s %14s %7s\n' "create 1 KiB files, ops/s ($first)" "$pc" "$mc" "$(ratio3 "$mc" "$pc")"
  printf '%-40s %12s %14s %7s\n' "stat, ops/s" "$ps_" "$ms" "$(ratio3 "$ms" "$ps_")"
  printf '%-40s %12s %14s %7s\n' "unlink, ops/s" "$pu" "$mu" "$(ratio3 "$mu" "$pu")"
  printf '%-40s %12s %14s %7s\n' "create+stat+unlink, ops/s" "$pt" "$mt" "$(ratio3 "$mt" "$pt")"
fi
for mode in $modes; do
  echo "agent peak RSS (VmHWM of 'sklad mount', $mode) during the $size_mib MiB write: ${rss[$mode]} MiB"
done
