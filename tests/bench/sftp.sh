#!/usr/bin/env bash
# sftp put/get of a large random file on `sklad up` (password login, volume main, 3 replicas) against
# OpenSSH's own sftp-server serving a plain directory on the same disk (a second sshd on a loopback port
# with its own config, host key and AuthorizedKeysFile; key login), same client, same cipher.
# Prints MB/s, the ratio to the baseline and the peak RSS (VmHWM) of the `sklad up` process, which holds
# the SFTP server, the agent, the master and the workers.
# Usage: tests/bench/sftp.sh [SIZE_MIB]   (default 1024). Needs root (sshd), sshpass and openssh-server.
# SFTP_CIPHER overrides the cipher (default aes128-gcm@openssh.com, which both servers offer);
# SKLAD_JAVA_OPTS is passed to the JVM of `sklad up` (e.g. -Xmx512m to see the RSS with a bounded heap).
# A Sklad transfer that fails is reported as FAILED with the end of the server's log; the script goes on.
source "$(dirname "$0")/lib.sh"
size_mib="${1:-1024}"
bytes=$((size_mib * 1048576))
cipher="${SFTP_CIPHER:-aes128-gcm@openssh.com}"
for tool in sftp sshpass ssh-keygen /usr/sbin/sshd /usr/lib/openssh/sftp-server; do
  command -v "$tool" > /dev/null || { echo "bench: $tool is missing"; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "bench: run as root (a second sshd is started)"; exit 1; }
ensure_jar
d=$(bench_dir)
SSHD_PID=""
SK_PID=""
cleanup() {
  [ -n "$SSHD_PID" ] && kill "$SSHD_PID" 2>/dev/null
  [ -n "$SK_PID" ] && kill "$SK_PID" 2>/dev/null && wait "$SK_PID" 2>/dev/null
  rm -rf "$d"
}
trap cleanup EXIT

free_port() {
  local p
  for _ in $(seq 1 50); do
    p=$(shuf -i 20000-60999 -n 1)
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return 0; }
  done
  return 1
}
hwm() { awk '/VmHWM/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
seconds_of() {
  local s e
  s=$(now)
  "$@" > "$d/last.out" 2>&1 || { echo "bench: failed: $*" >&2; cat "$d/last.out" >&2; return 1; }
  e=$(now)
  awk -v a="$s" -v b="$e" 'BEGIN { printf "%.3f", b - a }'
}

common=(-F /dev/null -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR
        -o IdentityAgent=none -o "Ciphers=$cipher")

echo "bench: $size_mib MiB random file in $d, cipher $cipher"
head -c "$bytes" /dev/urandom > "$d/src.bin"
sum_src=$(sha256sum < "$d/src.bin")
sync

# ---- baseline: OpenSSH sftp-server on a plain directory of the same disk
mkdir -p "$d/sshd" "$d/plain" /run/sshd
ssh-keygen -q -t ed25519 -N "" -f "$d/sshd/host_key"
ssh-keygen -q -t ed25519 -N "" -f "$d/client_key"
cp "$d/client_key.pub" "$d/sshd/authorized_keys"
sshd_port=$(free_port)
cat > "$d/sshd/sshd_config" <<EOF
Port $sshd_port
ListenAddress 127.0.0.1
HostKey $d/sshd/host_key
PidFile $d/sshd/sshd.pid
AuthorizedKeysFile $d/sshd/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UsePAM no
StrictModes no
Subsystem sftp /usr/lib/openssh/sftp-server
EOF
/usr/sbin/sshd -D -e -f "$d/sshd/sshd_config" 2> "$d/sshd/log" &
SSHD_PID=$!
for _ in $(seq 1 50); do grep -q "Server listening" "$d/sshd/log" && break; sleep 0.1; done
grep -q "Server listening" "$d/sshd/log" || { cat "$d/sshd/log"; exit 1; }

plain_sftp() {
  printf '%s\n' "$@" > "$d/plain.batch"
  sftp "${common[@]}" -o BatchMode=yes -o IdentitiesOnly=yes -i "$d/client_key" -P "$sshd_port" \
    -b "$d/plain.batch" "$(id -un)@127.0.0.1"
}
# put -f: fsync at the end, so the baseline is as durable as Sklad's acknowledged commit
t_plain_put=$(seconds_of plain_sftp "put -f $d/src.bin $d/plain/bench.bin")
t_plain_get=$(seconds_of plain_sftp "get $d/plain/bench.bin $d/back-plain.bin")
[ "$(sha256sum < "$d/back-plain.bin")" = "$sum_src" ] || { echo "bench: MISMATCH (OpenSSH)"; exit 1; }
rm -f "$d/back-plain.bin" "$d/plain/bench.bin"
kill "$SSHD_PID"; SSHD_PID=""
sync

# ---- sklad up, its own SFTP endpoint
UP_DIR="$d/up"
mkdir -p "$UP_DIR"
(cd "$UP_DIR" && SKLAD_ADMIN_PASSWORD=bench-Pass1 exec java ${SKLAD_JAVA_OPTS:-} -jar "$JAR" up \
   --workers "${WORKERS:-3}" --master-port 0 --webdav-port 0 --sftp-port 0 --no-fuse --no-webdav \
   > "$UP_DIR/up.log" 2>&1) &
SK_PID=$!
for _ in $(seq 1 600); do
  grep -q "Sklad is up" "$UP_DIR/up.log" 2>/dev/null && break
  kill -0 "$SK_PID" 2>/dev/null || { cat "$UP_DIR/up.log"; exit 1; }
  sleep 0.2
done
sk_port=$(grep -o 'sftp -P [0-9]*' "$UP_DIR/up.log" | awk '{print $3}')
[ -n "$sk_port" ] || { cat "$UP_DIR/up.log"; exit 1; }
rss_idle=$(hwm "$SK_PID")

sklad_sftp() {
  printf '%s\n' "$@" > "$d/sklad.batch"
  SSHPASS=bench-Pass1 sshpass -e sftp "${common[@]}" -o BatchMode=no -o PubkeyAuthentication=no \
    -o PreferredAuthentications=password -P "$sk_port" -b "$d/sklad.batch" admin@127.0.0.1
}
sklad_sftp "ls /main" > /dev/null   # the first login opens the user's agent session: not part of the transfer
# a failed transfer is reported, not fatal: the other numbers still count
sk_put="FAILED"; sk_get="-"; put_ratio="-"; get_ratio="-"
if t_sk_put=$(seconds_of sklad_sftp "put $d/src.bin /main/bench.bin"); then
  sk_put=$(mbps "$bytes" "$t_sk_put")
fi
rss_put=$(hwm "$SK_PID")
if [ "$sk_put" != FAILED ]; then
  sk_get="FAILED"
  if t_sk_get=$(seconds_of sklad_sftp "get /main/bench.bin $d/back-sklad.bin"); then
    [ "$(sha256sum < "$d/back-sklad.bin")" = "$sum_src" ] || { echo "bench: MISMATCH (Sklad)"; exit 1; }
    sk_get=$(mbps "$bytes" "$t_sk_get")
  fi
fi
rss_get=$(hwm "$SK_PID")
if [ "$sk_put" = FAILED ] || [ "$sk_get" = FAILED ]; then
  echo "bench: the last lines 'sklad up' logged:"
  grep -v Flyway "$UP_DIR/up.log" | cut -c1-240 | tail -5 || true
fi

plain_put=$(mbps "$bytes" "$t_plain_put"); plain_get=$(mbps "$bytes" "$t_plain_get")
[ "$sk_put" != FAILED ] && put_ratio=$(ratio "$sk_put" "$plain_put")
[ "$sk_get" != FAILED ] && [ "$sk_get" != - ] && get_ratio=$(ratio "$sk_get" "$plain_get")
printf '%-44s %10s %8s\n' "operation ($size_mib MiB)" "MB/s" "ratio"
printf '%-44s %10s %8s\n' "OpenSSH sftp-server, plain dir: put -f" "$plain_put" "1.00"
printf '%-44s %10s %8s\n' "Sklad SFTP (3 replicas): put" "$sk_put" "$put_ratio"
printf '%-44s %10s %8s\n' "OpenSSH sftp-server, plain dir: get" "$plain_get" "1.00"
printf '%-44s %10s %8s\n' "Sklad SFTP (3 replicas): get" "$sk_get" "$get_ratio"
echo "peak RSS of 'sklad up' (SFTP + agent + master + ${WORKERS:-3} workers): after start $((rss_idle / 1024)) MiB," \
     "after put $((rss_put / 1024)) MiB, after get $((rss_get / 1024)) MiB"
