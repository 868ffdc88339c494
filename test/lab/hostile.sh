#!/usr/bin/env bash
# Hostile lab containers: each one really mounts an attack on a root host helper
# (one that reads /proc/PID/comm and /proc/PID/ns, runs `nsenter ... ip -j`, and
# lists and reads files under containers' roots). Everything carries the label
# dev.container-internals.lab=1 and the name prefix "cilab-evil-".
#
#   test/lab/hostile.sh up                    recreate $HOSTILE_DIR and the containers, then verify
#   test/lab/hostile.sh down                  remove the cilab-evil-* containers (images stay)
#   test/lab/hostile.sh verify                only the verification pass
#   test/lab/hostile.sh retag-image EVIL_TAG  tag an image whose /bin/sh is a canary as EVIL_TAG
#
# Shared paths (tests read them):
#   $HOSTILE_DIR/canary-secret  one line CANARY-<32 hex>, mode 0600: must never appear in any output
#   $HOSTILE_DIR/markers/       mode 0777, mounted at /markers: canary binaries drop a file here when run
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
self="$here/$(basename "${BASH_SOURCE[0]}")"
LAB_STATE="${LAB_STATE:-${XDG_CACHE_HOME:-$HOME/.cache}/container-internals-lab}"
HOSTILE_DIR="$LAB_STATE/hostile"
export LAB_STATE HOSTILE_DIR
LABEL=dev.container-internals.lab=1
HELPER_LABEL=dev.container-internals.helper=1
BUILD_LABEL=dev.container-internals.hostile-build
BUSYBOX_IMAGE=container-internals-lab/busybox:1
HOSTILE_IMAGE=container-internals-lab/hostile:1
EVIL_HELPER_IMAGE=container-internals-lab/evil-helper:1
BB=/bin/busybox
# Every path where a root helper might look for a tool; each holds a canary script.
# (/lib64/ld-linux-x86-64.so.2 is left out: a loader cannot be a script.)
CANARY_PATHS=(
  /usr/sbin/ip /sbin/ip /usr/bin/ip /bin/ip /usr/bin/nsenter /usr/sbin/nsenter
  /usr/bin/stat /bin/stat /bin/cat /usr/bin/cat /bin/grep /usr/bin/grep /bin/sh
  /usr/bin/setpriv /bin/ls /usr/bin/du /usr/bin/base64 /usr/bin/find /bin/find
  /usr/bin/realpath /usr/bin/readlink /bin/readlink /usr/bin/timeout
)

say() { printf 'hostile: %s\n' "$*"; }
image_exists() { docker image inspect "$1" >/dev/null 2>&1; }
# A build is valid for one HOSTILE_DIR (baked into symlinks and canaries) and one version of this script.
build_key() { { printf '%s\n' "$HOSTILE_DIR"; cat "$self"; } | sha256sum | cut -c1-16; }
image_current() {
  [ "$(docker image inspect -f "{{index .Config.Labels \"$BUILD_LABEL\"}}" "$1" 2>/dev/null || true)" = "$(build_key)" ]
}
# Import ROOT as IMAGE (no CMD); drop the image it replaces once nothing uses it.
import_image() {
  local root="$1" image="$2" old
  shift 2
  old="$(docker image inspect -f '{{.Id}}' "$image" 2>/dev/null || true)"
  tar -C "$root" -c . | docker import -c "LABEL $BUILD_LABEL=$(build_key)" "$@" - "$image" >/dev/null
  if [ -n "$old" ] && [ "$old" != "$(docker image inspect -f '{{.Id}}' "$image")" ]; then
    docker rmi "$old" >/dev/null 2>&1 || true
  fi
}

# The canary: writes a marker wherever a marker directory is reachable, prints nothing, exits 0.
write_canary() {
  cat > "$1" <<EOF
#!/bin/busybox sh
# CANARY: a root helper must never execute this file.
n="ran-\${0##*/}-\$\$"
for d in /markers '$HOSTILE_DIR/markers'; do
  { [ -d "\$d" ] && echo "ran \$0 \$*" > "\$d/\$n"; } 2>/dev/null
done
exit 0
EOF
  chmod 0755 "$1"
}

base_rootfs() {
  local root="$1"
  mkdir -p "$root/bin" "$root/tmp" "$root/proc" "$root/sys" "$root/dev" "$root/etc"
  chmod 1777 "$root/tmp"
  cp "$BB" "$root/bin/busybox"
  echo 'root:x:0:0:root:/root:/bin/sh' > "$root/etc/passwd"
}

build_hostile_image() {
  image_current "$HOSTILE_IMAGE" && return 0
  local root p
  root="$(mktemp -d)"
  base_rootfs "$root"
  for p in "${CANARY_PATHS[@]}"; do
    mkdir -p "$root${p%/*}"
    write_canary "$root$p"
  done
  # /data: what a mount on /data hides. Exact odd names, so Python rather than the shell.
  ROOT="$root" python3 - <<'PY'
import os
root = os.environb[b"ROOT"]
hd = os.environb[b"HOSTILE_DIR"]
data = os.path.join(root, b"data")
os.makedirs(data)
os.symlink(b"../" * 8 + hd.lstrip(b"/") + b"/canary-secret", os.path.join(data, b"notes"))
os.symlink(hd + b"/canary-secret", os.path.join(data, b"abs-link"))
os.symlink(hd, os.path.join(data, b"dir-link"))
os.mkfifo(os.path.join(data, b"fifo"))
with open(os.path.join(data, b"plain.txt"), "wb") as f:
    f.write(b"plain file from the image\n")
for name in [b"line1\nline2", b"cr\rname", b"ctl\x01name", b"tab\tname", b'q"b\\s',
             b"bad\xffbyte", b"name with spaces"]:
    with open(os.path.join(data, name), "wb") as f:
        f.write(b"odd name\n")
PY
  head -c 3145728 /dev/zero > "$root/data/big.bin"
  import_image "$root" "$HOSTILE_IMAGE"
  rm -rf "$root"
}

build_evil_helper_image() {
  image_current "$EVIL_HELPER_IMAGE" && return 0
  local root
  root="$(mktemp -d)"
  base_rootfs "$root"
  cat > "$root/bin/sh" <<EOF
#!/bin/busybox sh
# CANARY: a retagged helper image. The tool must never run it.
for f in '/host$HOSTILE_DIR/markers/ran-evil-helper-image' /markers/ran-evil-helper-image '$HOSTILE_DIR/markers/ran-evil-helper-image'; do
  { [ -d "\${f%/*}" ] && echo "ran \$0 \$*" > "\$f"; } 2>/dev/null
done
echo EVIL-HELPER-RAN
exit 0
EOF
  chmod 0755 "$root/bin/sh"
  import_image "$root" "$EVIL_HELPER_IMAGE" -c 'ENV PATH=/bin'
  rm -rf "$root"
}

evil_ids() {
  docker ps -a --filter "label=$LABEL" --format '{{.ID}} {{.Names}}' | awk '$2 ~ /^cilab-evil-/ { print $1 }'
}

down() {
  local ids
  ids="$(evil_ids)"
  # shellcheck disable=SC2086 # one id per word
  [ -z "$ids" ] || docker rm -f -v $ids >/dev/null
}

run() { docker run -d --label "$LABEL" -v "$HOSTILE_DIR/markers:/markers" "$@" >/dev/null; }

# Container scripts. They run under `/bin/busybox sh` because /bin/sh is a canary.
# shellcheck disable=SC2016 # expanded by the container's shell
CHROOT_INIT='bb=/bin/busybox; hd="$1"; shift; f=/fake; e=$f/sys/class/net/eth0
$bb mkdir -p $f/bin $f/markers $f/tmp $f/proc $f/dev $e
$bb chmod 0777 $f/markers
$bb cp $bb $f/bin/busybox
# ash opens /dev/null for background jobs, so the chroot needs one.
$bb mknod -m 666 $f/dev/null c 1 3 || $bb touch $f/dev/null
for p in "$@"; do $bb mkdir -p "$f${p%/*}"; $bb cp -p "$p" "$f$p"; done
$bb mkfifo $e/ifindex $e/iflink $e/flags
$bb ln -s "$hd/canary-secret" $e/address
$bb ln -s /etc/shadow $e/mtu
echo up > $e/operstate
$bb ln -s / $f/sys/class/net/evil0
# Canaries inside the chroot drop markers in /fake/markers: relay them to the real /markers.
( while :; do for m in $f/markers/*; do [ -e "$m" ] && $bb mv -f "$m" /markers/; done; $bb sleep 0.2; done ) &
exec $bb chroot $f $bb sh -c "while [ -p /sys/class/net/eth0/flags ]; do $bb yes > /sys/class/net/eth0/flags; $bb sleep 0.2; done & while :; do $bb sleep 3600; done"'
# shellcheck disable=SC2016
IFNAME_INIT='bb=/bin/busybox
gw=$($bb ip route | $bb awk "/^default/ { print \$3; exit }")
n1=$(printf "ev\001il"); n2=$(printf "evil\377")
$bb ip link set eth0 down
if $bb ip link set eth0 name "$n1"; then n=$n1; elif $bb ip link set eth0 name "$n2"; then n=$n2; else n=eth0; fi
$bb ip link set "$n" up
[ -z "$gw" ] || $bb ip route add default via "$gw" dev "$n"
while :; do $bb sleep 3600; done'

# Best effort: make the next host pids 100, 101 (just after "10" in text order, before every
# 1xxx..9xxx) by writing ns_last_pid=99, then wait for PID's children with builtins only, so
# that this script forks nothing that would take those pids first.
low_pids_for_children() {
  local pid="$1" tickdir tick kids="" _
  tickdir="$(mktemp -d)"
  mkfifo "$tickdir/tick"
  exec {tick}<>"$tickdir/tick"
  { echo 99 > /proc/sys/kernel/ns_last_pid; } 2>/dev/null || true
  for _ in {1..50}; do
    { read -r kids < "/proc/$pid/task/$pid/children"; } 2>/dev/null || true
    [ -z "$kids" ] || break
    read -r -t 0.1 -u "$tick" _ || true
  done
  exec {tick}>&-
  rm -rf "$tickdir"
}

up() {
  down
  build_hostile_image
  rm -rf "$HOSTILE_DIR"
  mkdir -p "$HOSTILE_DIR/markers" "$HOSTILE_DIR/cover"
  chmod 0777 "$HOSTILE_DIR/markers"
  (umask 077; printf 'CANARY-%s\n' "$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')" > "$HOSTILE_DIR/canary-secret")
  chmod 0600 "$HOSTILE_DIR/canary-secret"
  echo "the bind mount that covers the image's /data" > "$HOSTILE_DIR/cover/cover.txt"

  # 1. An init that calls itself containerd-shim and has children (they look like container inits).
  run --name cilab-evil-shim "$HOSTILE_IMAGE" \
    $BB sh -c "printf containerd-shim > /proc/self/comm; $BB sleep 86400 & $BB sleep 86400 & wait"
  # 2. The same in the host pid namespace, whose children take low pids that sort first as text.
  #    The init waits 2 s (a timed read on the image's FIFO: no fork) before it forks them.
  run --name cilab-evil-shim-hostpid --pid host "$HOSTILE_IMAGE" \
    $BB sh -c "printf containerd-shim > /proc/self/comm; read -t 2 _ <> /data/fifo; $BB sleep 86400 & $BB sleep 86400 & wait"
  low_pids_for_children "$(docker inspect -f '{{.State.Pid}}' cilab-evil-shim-hostpid)"
  # 3. An init that calls itself dockerd.
  run --name cilab-evil-dockerd "$HOSTILE_IMAGE" \
    $BB sh -c "printf dockerd > /proc/self/comm; while :; do $BB sleep 3600; done"
  # 4. An init chrooted into a fake tree: FIFOs and escaping symlinks where /sys/class/net should be.
  run --name cilab-evil-chroot "$HOSTILE_IMAGE" $BB sh -c "$CHROOT_INIT" chroot-init "$HOSTILE_DIR" "${CANARY_PATHS[@]}"
  # 5. Containers that wear the helper label: the tool must never remove them.
  local label_image="$HOSTILE_IMAGE"
  image_exists "$BUSYBOX_IMAGE" && label_image="$BUSYBOX_IMAGE"
  docker create --label "$LABEL" --label "$HELPER_LABEL" --name cilab-evil-label "$label_image" $BB sleep 86400 >/dev/null
  docker run --label "$LABEL" --label "$HELPER_LABEL" --name cilab-evil-label-exited "$label_image" $BB true >/dev/null
  # 6. A bind mount over the image's hostile /data.
  run --name cilab-evil-files -v "$HOSTILE_DIR/cover:/data" "$HOSTILE_IMAGE" $BB sleep 86400
  # 7. An interface whose name holds a control byte (or invalid UTF-8).
  run --name cilab-evil-ifname --cap-add NET_ADMIN "$HOSTILE_IMAGE" $BB sh -c "$IFNAME_INIT"

  local failed=0
  verify || failed=$?
  echo "hostile: $(evil_ids | wc -l) hostile containers ($( [ "$failed" = 0 ] && echo verified || echo "$failed FAILED")), canary $HOSTILE_DIR/canary-secret, markers $HOSTILE_DIR/markers/"
  [ "$failed" = 0 ]
}

# Poll until "$@" succeeds (up to ~10 s).
wait_for() {
  local _
  for _ in $(seq 100); do "$@" 2>/dev/null && return 0; sleep 0.1; done
  return 1
}
state() { docker inspect -f "$2" "$1" 2>/dev/null || true; }
comm_is() { [ "$(timeout 2 cat "/proc/$1/comm")" = "$2" ]; }
children() { timeout 2 cat /proc/"$1"/task/*/children 2>/dev/null | tr -s ' \n' ',' | sed 's/^,//; s/,$//'; }
fifos() { local d="$1" f; shift; for f in "$@"; do timeout 2 test -p "$d/$f" || return 1; done; }
flags_fed() { [ "$(timeout 2 head -c 4 "$1")" = "$(printf 'y\ny')" ]; }
# shellcheck disable=SC2016 # awk program
parent_of() { local p; p="$(timeout 2 awk '{ sub(/.*\) /, ""); print $2 }' "/proc/$1/stat")"; echo "$p $(timeout 2 cat "/proc/$p/comm")"; }
has_children() { [ -n "$(children "$1")" ]; }
renamed_if() { timeout 2 nsenter -t "$1" -n ip -o link | grep -qv -e ': lo:' -e ': eth0@'; }

# One line per container; returns the number of failures.
verify() {
  local failed=0 name pid comm

  running() {
    name="$1"
    pid="$(state "$name" '{{.State.Pid}}')"
    if [ "$(state "$name" '{{.State.Running}}')" != true ] || [ -z "$pid" ] || [ "$pid" = 0 ]; then
      say "$name NOT RUNNING ($(state "$name" '{{.State.Status}} exit={{.State.ExitCode}} {{.State.Error}}'))"
      failed=$((failed + 1)); return 1
    fi
  }
  check() { # check DESCRIPTION COMMAND...: report and count
    local what="$1"; shift
    local ok=0
    wait_for "$@" || ok=1
    comm="$(timeout 2 cat "/proc/$pid/comm" 2>/dev/null || echo '?')"
    if [ "$ok" = 0 ]; then say "$name pid=$pid comm=$comm: $what"
    else say "$name pid=$pid comm=$comm: FAILED: $what"; failed=$((failed + 1)); fi
  }

  for name in cilab-evil-shim cilab-evil-shim-hostpid; do
    if running "$name"; then
      check "init renamed to containerd-shim" comm_is "$pid" containerd-shim
      wait_for has_children "$pid" || true
      say "$name children (host pids): $(children "$pid"); parent (the real shim): $(parent_of "$pid")"
    fi
  done
  if running cilab-evil-dockerd; then check "init renamed to dockerd" comm_is "$pid" dockerd; fi
  if running cilab-evil-chroot; then
    wait_for timeout 2 test -p "/proc/$pid/root/sys/class/net/eth0/flags" || true
    check "root is $(timeout 2 readlink "/proc/$pid/root" || echo '?'), bin/busybox present" test -x "/proc/$pid/root/bin/busybox"
    check "sys/class/net/eth0/{ifindex,iflink,flags} are FIFOs" \
      fifos "/proc/$pid/root/sys/class/net/eth0" ifindex iflink flags
    check "a writer streams endlessly into the flags FIFO" flags_fed "/proc/$pid/root/sys/class/net/eth0/flags"
    check "address -> $(timeout 2 readlink "/proc/$pid/root/sys/class/net/eth0/address"), mtu -> $(timeout 2 readlink "/proc/$pid/root/sys/class/net/eth0/mtu"), evil0 -> $(timeout 2 readlink "/proc/$pid/root/sys/class/net/evil0")" \
      test -L "/proc/$pid/root/sys/class/net/evil0"
    say "$name eth0 in the chroot: $(timeout 2 ls -l "/proc/$pid/root/sys/class/net/eth0/" | awk 'NR > 1 { printf "%s%s %s", sep, substr($1, 1, 1), $9; sep = ", " }')"
  fi
  for name in cilab-evil-label cilab-evil-label-exited; do
    local st
    st="$(state "$name" '{{.State.Status}} exit={{.State.ExitCode}} helper-label={{index .Config.Labels "dev.container-internals.helper"}}')"
    case "$name:$st" in
      cilab-evil-label:"created exit=0 helper-label=1" | cilab-evil-label-exited:"exited exit=0 helper-label=1") say "$name $st" ;;
      *) say "$name FAILED: $st"; failed=$((failed + 1)) ;;
    esac
  done
  if running cilab-evil-files; then
    local lower
    lower="$(state cilab-evil-files '{{.GraphDriver.Data.LowerDir}}')"
    lower="${lower##*:}" # the image's layer (the first entry is the -init layer)
    check "/data is the cover ($(timeout 2 ls "/proc/$pid/root/data" | tr '\n' ' ')); the image's /data has $(timeout 2 ls -A "$lower/data" 2>/dev/null | wc -l) hidden entries" \
      test -f "/proc/$pid/root/data/cover.txt"
    check "the image's data/notes resolves on the host to the canary" \
      test "$(timeout 2 realpath "$lower/data/notes")" = "$HOSTILE_DIR/canary-secret"
  fi
  if running cilab-evil-ifname; then
    check "eth0 renamed" renamed_if "$pid"
    say "$name links (cat -v): $(timeout 2 nsenter -t "$pid" -n ip -o link | cut -d' ' -f1-2 | cat -v | tr '\n' ' ')"
  fi
  local marks
  marks="$(find "$HOSTILE_DIR/markers" -mindepth 1 -printf x | wc -c)"
  [ "$marks" = 0 ] || { say "markers already present in $HOSTILE_DIR/markers: $marks"; failed=$((failed + 1)); }
  return "$failed"
}

case "${1:-up}" in
  up) up ;;
  down) down ;;
  verify) verify ;;
  retag-image)
    [ -n "${2:-}" ] || { echo "usage: $0 retag-image EVIL_TAG" >&2; exit 2; }
    build_evil_helper_image
    docker tag "$EVIL_HELPER_IMAGE" "$2"
    say "$2 now names $EVIL_HELPER_IMAGE ($(docker image inspect -f '{{.Id}}' "$EVIL_HELPER_IMAGE" | cut -c1-19))"
    ;;
  *) echo "usage: $0 up|down|verify|retag-image EVIL_TAG" >&2; exit 2 ;;
esac
