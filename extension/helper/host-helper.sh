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

HELPER_VERSION=1
NS_TYPES="net mnt pid uts ipc cgroup user time"

die_json() {
  # $1 is always a fixed message chosen by this script, never caller data.
  printf '{"format":"container-internals-helper","version":%s,"ok":false,"error":"%s"}\n' "$HELPER_VERSION" "$1"
  exit 2
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

# ip_in_netns PID: every link of PID's network namespace with details and addresses.
ip_in_netns() {
  case "$IP_MODE" in
    direct) nsenter --net=/proc/"$1"/ns/net ip -j -d addr show ;;
    hostmnt) nsenter --mount=/proc/"$ref"/ns/mnt --net=/proc/"$1"/ns/net "$IP_BIN" -j -d addr show ;;
    *) return 1 ;;
  esac
}

collect() {
  for p in "$@"; do
    is_pid "$p" || die_json "pid arguments must be decimal numbers"
  done
  tmp=$(mktemp -d 2>/dev/null) || die_json "cannot create a temporary directory"
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
      ppid=$(printf '%s\n' "$rest" | { read -r _state pp _; echo "$pp"; })
      if is_pid "$ppid" && [ "$ppid" != 0 ] && [ -r /proc/"$ppid"/ns/net ] && stat -L /proc/"$ppid"/ns/net >/dev/null 2>&1; then
        ref=$ppid; ref_source=shim
        break
      fi
    fi
  done
  if [ -z "$ref" ] && stat -L /proc/1/ns/net >/dev/null 2>&1; then
    ref=1; ref_source=init
  fi
  if [ -z "$ref" ]; then
    ref=$$; ref_source=self
  fi

  pick_ip

  # One stat for every namespace of every pid: spawning readlink per namespace
  # per pid costs about a second for a hundred containers. stat -L follows the
  # nsfs magic link, and the inode it reports is the namespace id shown as
  # net:[INODE] by readlink. Pids that died meanwhile just drop out.
  set -- "$ref" "$@"
  nsfiles=""
  for p in "$@"; do
    for t in $NS_TYPES; do
      [ -e /proc/"$p"/ns/"$t" ] && nsfiles="$nsfiles /proc/$p/ns/$t"
    done
  done
  # nsfiles holds only /proc/DIGITS/ns/NAME words built above, so splitting is safe.
  # shellcheck disable=SC2086
  stat -L -c '%n %i' $nsfiles > "$tmp/ns" 2>/dev/null

  # One `ip` per distinct network namespace, all started at once: containers
  # that share a namespace (--network container:X) are read once.
  seen=" "
  netns_list=""
  while read -r path ino; do
    case "$path" in
      /proc/*/ns/net) ;;
      *) continue ;;
    esac
    case "$seen" in
      *" $ino "*) continue ;;
    esac
    seen="$seen$ino "
    p=${path#/proc/}
    p=${p%%/*}
    netns_list="$netns_list $p:$ino"
    if [ "$IP_MODE" != none ]; then
      ( ip_in_netns "$p" > "$tmp/links.$ino" 2>/dev/null; echo $? > "$tmp/rc.$ino" ) &
    fi
  done < "$tmp/ns"
  wait

  printf '{"format":"container-internals-helper","version":%s,"ok":true,"uid":%s,"ipMode":"%s","reference":{"pid":%s,"source":"%s"},"namespaces":[' \
    "$HELPER_VERSION" "$(id -u)" "$IP_MODE" "$ref" "$ref_source"
  sep=""
  while read -r path ino; do
    printf '%s["%s",%s]' "$sep" "$path" "$ino"
    sep=","
  done < "$tmp/ns"
  printf '],"netns":['
  sep=""
  for entry in $netns_list; do
    p=${entry%%:*}
    ino=${entry#*:}
    printf '%s{"pid":%s,"inode":%s,"links":' "$sep" "$p" "$ino"
    if [ -s "$tmp/links.$ino" ] && [ "$(cat "$tmp/rc.$ino" 2>/dev/null)" = 0 ]; then
      cat "$tmp/links.$ino"
    else
      printf 'null'
    fi
    printf '}'
    sep=","
  done
  printf ']}\n'
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
  collect) collect "$@" ;;
  version) printf '{"format":"container-internals-helper","version":%s,"ok":true,"uid":%s}\n' "$HELPER_VERSION" "$(id -u)" ;;
  *) die_json "unknown subcommand" ;;
esac
