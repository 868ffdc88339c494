#!/bin/sh
# Container Internals host helper.
#
# Runs on the Docker host with enough privilege to read /proc/PID/ns and to
# setns() into network namespaces. It is fed on stdin (`sh -s -- SUBCOMMAND ARGS`)
# by every runner (local, sudo, privileged helper container), so the same text
# runs everywhere; it must stay POSIX sh and work under busybox ash.
#
# Arguments arrive as argv only and are validated here; nothing is ever eval'd.
# Each call prints exactly one JSON document on stdout, versioned by "version".
set -u
# Byte semantics: faster, and the same on every host whatever its locale.
LC_ALL=C
export LC_ALL

HELPER_VERSION=1
NS_TYPES="net mnt pid uts ipc cgroup user time"

die_json() {
  # $1 is always a fixed message chosen by this script, never caller data.
  printf '{"format":"container-internals-helper","version":%s,"ok":false,"error":"%s"}\n' "$HELPER_VERSION" "$1"
  exit 2
}

# Sets $field to the second word of its arguments (the ppid after the state
# letter in /proc/PID/stat's tail) without forking a subshell.
second_word() {
  field=${2:-}
}

is_pid() {
  case "$1" in
    ''|*[!0-9]*) return 1 ;;
    *) return 0 ;;
  esac
}

# Which `ip` can print JSON? The host's iproute2 can; busybox's cannot. A helper
# container that runs this script in its own filesystem may still reach the
# host's tools through the reference process's mount namespace. Absolute paths
# there, because busybox sh and nsenter prefer their own applets to PATH.
pick_ip() {
  IP_BIN=ip
  if ip -j link show lo >/dev/null 2>&1; then
    IP_MODE=direct
    return
  fi
  for cand in /usr/sbin/ip /sbin/ip /usr/bin/ip /bin/ip; do
    if nsenter --mount=/proc/"$ref"/ns/mnt "$cand" -j link show lo >/dev/null 2>&1; then
      IP_MODE=hostmnt
      IP_BIN=$cand
      return
    fi
  done
  IP_MODE=none
}

# read_with_ip PID INODE: every link of PID's network namespace, with details
# and addresses, into $tmp/l.INODE. exec keeps it to one process when backgrounded.
read_with_ip() {
  case "$IP_MODE" in
    direct) exec nsenter --net=/proc/"$1"/ns/net ip -j -d addr show > "$tmp/l.$2" 2>/dev/null ;;
    hostmnt) exec nsenter --mount=/proc/"$ref"/ns/mnt --net=/proc/"$1"/ns/net "$IP_BIN" -j -d addr show > "$tmp/l.$2" 2>/dev/null ;;
  esac
}

# Container init processes are the children of containerd-shim. Finding them
# here lets the caller start this helper before the Docker API has told it any
# pid, so the two run side by side. Two processes in all: a loop of shell
# reads over every /proc/PID/comm costs more than one grep.
discover_pids() {
  shims=""
  for f in $(grep -l '^containerd-shim' /proc/[0-9]*/comm 2>/dev/null); do
    s=${f#/proc/}
    s=${s%%/*}
    is_pid "$s" || continue
    # The shim is a child subreaper: the container's init, orphaned by runc,
    # is reparented to it, and the kernel hands orphans to the reaper's leading
    # thread, so that thread's children list is where it shows. Reading every
    # thread's list costs ten times more; the caller asks by pid for any
    # container this misses.
    shims="$shims /proc/$s/task/$s/children"
  done
  [ -n "$shims" ] || return 0
  # shellcheck disable=SC2086
  cat $shims 2>/dev/null
}

# Escapes `grep -H ''` output lines for JSON and wraps each as ["PATH","LINE"],
# Paths hold no ':' (interface names cannot), so the first one ends the path.
escape_lines() {
  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e "s/$tab/\\\\t/g" -e 's/^/["/' -e 's/:/","/' -e 's/$/"],/'
}

collect() {
  use_ip=0
  discover=0
  while [ $# -gt 0 ]; do
    case "$1" in
      --discover) discover=1 ;;
      --ip) use_ip=1 ;;
      --) shift; break ;;
      *) break ;;
    esac
    shift
  done
  if [ "$discover" = 1 ]; then
    # Word splitting of discovered pids is intended; each is checked below.
    # shellcheck disable=SC2046
    set -- $(discover_pids) "$@"
  fi
  for p in "$@"; do
    is_pid "$p" || die_json "pid arguments must be decimal numbers"
  done
  # Prefer memory: this directory holds a few small files for a few milliseconds.
  tmp=$(mktemp -d -p /dev/shm 2>/dev/null || mktemp -d 2>/dev/null) || die_json "cannot create a temporary directory"
  trap 'rm -rf "$tmp"' EXIT

  # The "host" for Docker is wherever dockerd and containerd run: that is
  # what --network host or --pid host join. PID 1 is not always it (rootless
  # engines, Docker Desktop, user-namespaced sandboxes where PID 1 cannot even
  # be read), but the parent of a container's init, containerd-shim, always
  # is. Fall back to PID 1, then to this script itself.
  ref=""
  ref_source=""
  for p in "$@"; do
    if [ -r /proc/"$p"/stat ]; then
      read -r statline < /proc/"$p"/stat || continue
      # Field 4 (ppid) follows the parenthesised command name, which may itself contain spaces or ')'.
      rest=${statline##*) }
      second_word $rest
      ppid=$field
      # -e follows the nsfs link, which fails where we may not inspect that process.
      if is_pid "$ppid" && [ "$ppid" != 0 ] && [ -e /proc/"$ppid"/ns/net ]; then
        ref=$ppid; ref_source=shim
        break
      fi
    fi
  done
  if [ -z "$ref" ] && [ -e /proc/1/ns/net ]; then
    ref=1; ref_source=init
  fi
  if [ -z "$ref" ]; then
    ref=$$; ref_source=self
  fi

  # Assume the host's iproute2 and check only if the host namespace's read comes back empty.
  IP_MODE=direct
  IP_BIN=ip
  ip_pids=""

  # One stat for every namespace of every pid: spawning readlink per namespace
  # per pid costs about a second for a hundred containers. stat -L follows the
  # nsfs magic link, and the inode it reports is the namespace id shown as
  # net:[INODE] by readlink. Pids that died meanwhile just drop out. stat
  # formats each line as a JSON fragment itself, so no loop re-reads it.
  set -- "$ref" "$@"
  nsfiles=""
  netfiles=""
  for p in "$@"; do
    netfiles="$netfiles /proc/$p/ns/net"
    for t in $NS_TYPES; do
      [ -e /proc/"$p"/ns/"$t" ] && nsfiles="$nsfiles /proc/$p/ns/$t"
    done
  done
  # Both lists hold only /proc/DIGITS/ns/NAME words built above, so splitting is safe.
  # The full list is only printed at the end, so it is read in the background.
  # shellcheck disable=SC2086
  stat -L -c '["%n",%i],' $nsfiles > "$tmp/ns" 2>/dev/null &
  # shellcheck disable=SC2086
  stat -L -c '%n %i' $netfiles > "$tmp/net" 2>/dev/null

  # Each distinct network namespace is read once (containers that share one,
  # --network container:X, are not read again), in one of two ways:
  #  - files: its /proc/PID/net tables and the container's own /sys/class/net,
  #    all read by a single grep below. No process per namespace, so a hundred
  #    containers cost milliseconds. The caller checks these readings against
  #    each other and asks again with --ip for any namespace they don't settle.
  #  - ip: `nsenter --net ip -j -d addr show`, one process each, all started at
  #    once as plain commands (no subshell: forks are what this costs). Used for
  #    the host's own namespace always, and for every namespace under --ip.
  #    Once ip has the namespace open it holds it alive, so its output is whole or empty.
  printf '},' > "$tmp/close"
  ref_net=""
  seen=" "
  parts=""
  files_a=""
  files_b=""
  half=a
  byfiles=""
  while read -r path ino; do
    case "$seen" in
      *" $ino "*) continue ;;
    esac
    seen="$seen$ino "
    p=${path#/proc/}
    p=${p%%/*}
    [ "$p" = "$ref" ] && ref_net=$ino
    if [ "$use_ip" = 1 ] || [ "$p" = "$ref" ]; then
      printf '{"pid":%s,"inode":%s,"links":' "$p" "$ino" > "$tmp/h.$ino"
      : > "$tmp/l.$ino"
      parts="$parts $ino"
      ip_pids="$ip_pids $p:$ino"
      read_with_ip "$p" "$ino" &
    else
      byfiles="$byfiles{\"pid\":$p,\"inode\":$ino,\"links\":null},"
      these=" /proc/$p/net/dev /proc/$p/net/if_inet6 /proc/$p/net/fib_trie /proc/$p/net/route"
      # This list is split on spaces and glob-expanded when grep runs. Plain
      # interface names (the usual eth0, lo) go in as they are: one directory
      # listing per namespace. Any other name could hold glob characters, so
      # that namespace gets patterns instead, whose expansions are never split.
      plain=1
      for d in /proc/"$p"/root/sys/class/net/*; do
        case "${d##*/}" in
          *[!A-Za-z0-9_.@-]*) plain=0 ;;
        esac
        these="$these $d/ifindex $d/iflink $d/address $d/mtu $d/operstate $d/flags"
      done
      if [ "$plain" = 0 ]; then
        d=/proc/$p/root/sys/class/net/*
        these=" /proc/$p/net/dev /proc/$p/net/if_inet6 /proc/$p/net/fib_trie /proc/$p/net/route $d/ifindex $d/iflink $d/address $d/mtu $d/operstate $d/flags"
      fi
      if [ "$half" = a ]; then
        files_a="$files_a$these"
        half=b
      else
        files_b="$files_b$these"
        half=a
      fi
    fi
  done < "$tmp/net"
  # Two halves, read side by side: on a busy 2-core host this is most of the wall time.
  tab='	'  # a literal tab; $(printf) would cost a fork
  if [ -n "$files_a" ]; then
    # shellcheck disable=SC2086
    grep -H '' $files_a 2>/dev/null | escape_lines > "$tmp/files.a" &
  fi
  if [ -n "$files_b" ]; then
    # shellcheck disable=SC2086
    grep -H '' $files_b 2>/dev/null | escape_lines > "$tmp/files.b" &
  fi
  wait
  if [ -n "$ref_net" ] && [ ! -s "$tmp/l.$ref_net" ]; then
    # No JSON from a plain `ip` (busybox's cannot): find one that can, then read again.
    pick_ip
    if [ "$IP_MODE" != none ]; then
      for entry in $ip_pids; do
        read_with_ip "${entry%%:*}" "${entry#*:}" &
      done
      wait
    fi
  fi

  printf '{"format":"container-internals-helper","version":%s,"ok":true,"ipMode":"%s","reference":{"pid":%s,"source":"%s","netns":%s},"namespaces":[' \
    "$HELPER_VERSION" "$IP_MODE" "$ref" "$ref_source" "${ref_net:-null}"
  # Assemble the rest with a single cat: namespaces, then each netns as
  # header + ip's JSON (or null) + "},". Trailing nulls close the lists.
  printf 'null],"netns":[%s' "$byfiles" > "$tmp/mid"
  printf 'null],"files":[' > "$tmp/mid2"
  printf 'null]}\n' > "$tmp/end"
  set -- "$tmp/ns" "$tmp/mid"
  for ino in $parts; do
    [ -s "$tmp/l.$ino" ] || printf 'null' > "$tmp/l.$ino"
    set -- "$@" "$tmp/h.$ino" "$tmp/l.$ino" "$tmp/close"
  done
  : >> "$tmp/files.a"
  : >> "$tmp/files.b"
  cat "$@" "$tmp/mid2" "$tmp/files.a" "$tmp/files.b" "$tmp/end"
}

# enter PID [NAMESPACE...] -- COMMAND [ARGS...]
# Joins the chosen namespaces of PID and execs COMMAND there, like `docker exec`
# does, but with the host's tools unless mnt is joined. Interactive: errors go
# to stderr as one line, and the exit status is COMMAND's own.
enter() {
  pid=${1:-}
  [ $# -gt 0 ] && shift
  if ! is_pid "$pid"; then
    echo "container-internals-helper: enter needs a numeric pid" >&2
    exit 125
  fi
  if [ ! -e /proc/"$pid"/ns/net ]; then
    echo "container-internals-helper: process $pid does not exist or cannot be inspected here" >&2
    exit 125
  fi
  # Only these fixed option words are ever added, so splitting $flags is safe.
  flags=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --) shift; break ;;
      net) flags="$flags -n" ;;
      pid) flags="$flags -p" ;;
      uts) flags="$flags -u" ;;
      ipc) flags="$flags -i" ;;
      mnt) flags="$flags -m" ;;
      cgroup) flags="$flags -C" ;;
      user) flags="$flags -U" ;;
      *)
        echo "container-internals-helper: unknown namespace (use net, pid, uts, ipc, mnt, cgroup, user)" >&2
        exit 125
        ;;
    esac
    shift
  done
  [ $# -gt 0 ] || set -- /bin/sh
  # shellcheck disable=SC2086
  exec nsenter -t "$pid" $flags -- "$@"
}

is_abs_path() {
  case "$1" in
    /*) return 0 ;;
    *) return 1 ;;
  esac
}

ok_json() {
  # $1: a JSON fragment built by this script from numbers and fixed words only.
  printf '{"format":"container-internals-helper","version":%s,"ok":true%s}\n' "$HELPER_VERSION" "$1"
}

# Paths from Docker (volume mountpoints, bind sources, overlay dirs) are paths
# in the daemon's mount namespace. When this script runs in the helper
# container, its own / is the helper image, so host paths are reached through
# /proc/PID/root of the daemon (or of a containerd-shim, or PID 1). On the host
# itself that is just /. Sets $HOST_ROOT (no trailing slash; empty for /).
find_host_root() {
  HOST_ROOT=""
  for f in $(grep -l -e '^dockerd$' -e '^containerd-shim' /proc/[0-9]*/comm 2>/dev/null); do
    p=${f#/proc/}
    p=${p%%/*}
    is_pid "$p" || continue
    if [ -d /proc/"$p"/root/ ] && [ -e /proc/"$p"/root/. ]; then
      if [ "$(stat -L -c %i /proc/"$p"/root/ 2>/dev/null)" != "$(stat -L -c %i / 2>/dev/null)" ] || [ "$(stat -L -c %d /proc/"$p"/root/ 2>/dev/null)" != "$(stat -L -c %d / 2>/dev/null)" ]; then
        HOST_ROOT=/proc/$p/root
      fi
      return
    fi
  done
}

# prepare-bind DIR: makes sure DIR exists for a bind-backed volume, creating
# it (mkdir -p, default permissions) if needed. Reports how many levels it
# created, so a failed volume create can remove exactly those and no more.
prepare_bind() {
  is_abs_path "${1:-}" || die_json "the bind directory must be an absolute path"
  find_host_root
  dir=$HOST_ROOT$1
  if [ -d "$dir" ]; then
    ok_json ',"created":0'
    return
  fi
  [ -e "$dir" ] && die_json "the bind path exists and is not a directory"
  levels=0
  d=$dir
  while [ ! -e "$d" ]; do
    levels=$((levels + 1))
    d=$(dirname -- "$d")
  done
  mkdir -p -- "$dir" 2>/dev/null || die_json "cannot create the bind directory"
  ok_json ",\"created\":$levels"
}

# undo-bind DIR LEVELS: removes the LEVELS innermost directories of DIR that
# prepare-bind created, only while they are empty.
undo_bind() {
  is_abs_path "${1:-}" || die_json "the bind directory must be an absolute path"
  find_host_root
  dir=$HOST_ROOT$1
  levels=${2:-0}
  is_pid "$levels" || die_json "levels must be a number"
  removed=0
  d=$dir
  while [ "$removed" -lt "$levels" ]; do
    rmdir -- "$d" 2>/dev/null || break
    removed=$((removed + 1))
    d=$(dirname -- "$d")
  done
  ok_json ",\"removed\":$removed"
}

# du PATH: disk usage in KiB (on demand, never on a refresh).
disk_usage() {
  is_abs_path "${1:-}" || die_json "the path must be absolute"
  find_host_root
  set -- "$HOST_ROOT$1"
  [ -e "$1" ] || die_json "the path does not exist"
  kib=$(du -sk -- "$1" 2>/dev/null | { read -r n _; echo "$n"; })
  is_pid "$kib" || die_json "du failed"
  ok_json ",\"kib\":$kib"
}

# ls-dir DIR: the entries of DIR (directories end with /), as seen from the
# host's mount namespace: for a container's rootfs that is the image without
# the container's own mounts on top, so it shows what a mount hides.
list_dir() {
  is_abs_path "${1:-}" || die_json "the path must be absolute"
  find_host_root
  set -- "$HOST_ROOT$1"
  [ -d "$1" ] || die_json "not a directory"
  tab='	'
  printf '{"format":"container-internals-helper","version":%s,"ok":true,"entries":[' "$HELPER_VERSION"
  ls -1Ap -- "$1" 2>/dev/null | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e "s/$tab/\\\\t/g" -e 's/^/"/' -e 's/$/",/'
  printf 'null]}\n'
}

# read-file PATH: a file's bytes, base64 (so any content fits in the JSON).
read_file() {
  is_abs_path "${1:-}" || die_json "the path must be absolute"
  find_host_root
  set -- "$HOST_ROOT$1"
  [ -f "$1" ] || die_json "not a regular file"
  printf '{"format":"container-internals-helper","version":%s,"ok":true,"base64":"' "$HELPER_VERSION"
  base64 < "$1" | tr -d '\n'
  printf '"}\n'
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
  collect) collect "$@" ;;
  enter) enter "$@" ;;
  prepare-bind) prepare_bind "$@" ;;
  undo-bind) undo_bind "$@" ;;
  du) disk_usage "$@" ;;
  ls-dir) list_dir "$@" ;;
  read-file) read_file "$@" ;;
  version) printf '{"format":"container-internals-helper","version":%s,"ok":true}\n' "$HELPER_VERSION" ;;
  *) die_json "unknown subcommand" ;;
esac
