#!/usr/bin/env bash
# Per-file cost of small files on the FUSE drive: `cp -a` of FILES files of 1 KiB (random, so no dedup; as root
# cp also sets times, mode and owner on each), then one perl process creating FILES files and unlinking them.
# Prints wall time, files/s and the CPU seconds (and ms per file) of `sklad up --no-fuse` (master and workers)
# and of the separate `sklad mount` process: the CPU shows what a change costs on this shared 2-core machine
# even when the wall time moves with the load of others.
# Usage: tests/bench/smallfiles.sh [FILES]   (default 1000; needs FUSE, perl)
source "$(dirname "$0")/lib.sh"
files="${1:-1000}"
ensure_jar
d=$(bench_dir)
MNT="$d/mnt"
MOUNT_PID=""

cleanup() {
  set +e
  [ -n "$MOUNT_PID" ] && kill "$MOUNT_PID" 2>/dev/null && wait "$MOUNT_PID" 2>/dev/null
  grep -q " $MNT " /proc/self/mounts 2>/dev/null && { fusermount -u "$MNT" 2>/dev/null || umount -l "$MNT"; }
  stop_up
  rm -rf "$d"
}
trap cleanup EXIT

start_up "$d"
mkdir -p "$MNT"
(cd "$UP_DIR" && XDG_CACHE_HOME="$d/agent-cache" exec java ${SKLAD_JAVA_OPTS:--Xmx1g} -jar "$JAR" mount main "$MNT" \
    > "$d/mount.log" 2>&1) &
MOUNT_PID=$!
for _ in $(seq 1 300); do grep -q "mounted volume" "$d/mount.log" 2>/dev/null && break; sleep 0.2; done

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
tck=$(getconf CLK_TCK)
measure() { # label command...
  local label=$1 u0 m0 s e
  shift
  u0=$(cpu_ticks "$UP_PID"); m0=$(cpu_ticks "$MOUNT_PID"); s=$(now)
  "$@"
  e=$(now)
  awk -v l="$label" -v n="$files" -v s="$s" -v e="$e" -v t="$tck" \
      -v u=$(($(cpu_ticks "$UP_PID") - u0)) -v m=$(($(cpu_ticks "$MOUNT_PID") - m0)) \
      'BEGIN { printf "%-8s %8.2f s %8.0f files/s   CPU: cluster %6.2f s (%5.1f ms/file), mount %6.2f s (%5.1f ms/file)\n",
               l, e - s, n / (e - s), u / t, 1000 * u / t / n, m / t, 1000 * m / t / n }'
}

mkdir -p "$d/src"
for i in $(seq 1 "$files"); do head -c 1024 /dev/urandom > "$d/src/f$i"; done
chmod 640 "$d"/src/*
mkdir "$MNT/warm" && echo x > "$MNT/warm/x"
echo "bench: $files files of 1 KiB; scratch $d"
measure "cp -a" cp -a "$d/src" "$MNT/cp"
diff -r "$d/src" "$MNT/cp" > /dev/null || echo "bench: MISMATCH after cp -a"
mkdir "$MNT/perl"
measure "create" perl -e 'for my $i (1 .. $ARGV[1]) { open(my $f, ">", "$ARGV[0]/f$i") or die "create $i: $!";
    print $f "y" x 1024; close($f) or die "close $i: $!"; }' "$MNT/perl" "$files"
measure "unlink" perl -e 'for my $i (1 .. $ARGV[1]) { unlink("$ARGV[0]/f$i") or die "unlink $i: $!"; }' "$MNT/perl" "$files"
