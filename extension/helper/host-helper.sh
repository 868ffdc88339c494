#!/bin/sh
# Container Internals host helper.
#
# Runs on the Docker host as root (directly, through `sudo -n`, or in a
# privileged helper container in the host's pid namespace). It is fed as
# `sh -c SCRIPT NAME [--root DIR] SUBCOMMAND ARGS...` by every runner, so the
# same text runs everywhere; it must stay POSIX sh and work under busybox ash.
#
# Every container on the machine is a possible attacker, so nothing a
# container controls is trusted here:
#  - process names (/proc/PID/comm is writable) are never read at all;
#  - a container's pid is only what the engine reported, accepted once its
#    cgroup names that container's id and its start time holds between reads;
#  - the host is found from the parent of such a verified pid, never by name;
#  - no binary from a container's mount namespace is ever run;
#  - files under a container's root are read only after `cd -P` proves they
#    stay inside it, never through a symlink, never from a FIFO or device;
#  - every name leaves this script byte for byte (base64 or ip's JSON, which
#    the caller decodes as bytes), so no byte in a name can break the reply.
#
# Arguments arrive as argv only and are validated here; nothing is ever eval'd.
# Each call prints exactly one JSON document on stdout, versioned by "version".
set -u
# Byte semantics: faster, and the same on every host whatever its locale.
LC_ALL=C
export LC_ALL

HELPER_VERSION=2
NS_TYPES="net mnt pid uts ipc cgroup user time"
# How many `nsenter ip` run at once: enough to use every core, few enough
# that hundreds of containers do not become hundreds of forks at one instant.
IP_PARALLEL=12
# No single namespace may hold the whole collect: an `ip` still running after
# this many seconds is killed, and only its namespace is reported unreadable.
IP_TIMEOUT=5

# The opening of every reply: which format, which version, and whether it worked.
envelope() {
  printf '{"format":"container-internals-helper","version":%s,"ok":%s' "$HELPER_VERSION" "$1"
}

die_json() {
  # $1 is always a fixed message chosen by this script, never caller data.
  envelope false
  printf ',"error":"%s"}\n' "$1"
  exit 2
}

ok_json() {
  # $1: a JSON fragment built by this script from numbers and fixed words only.
  envelope true
  printf '%s}\n' "$1"
}

is_number() {
  case "$1" in
    ''|*[!0-9]*) return 1 ;;
    *) return 0 ;;
  esac
}

# A full container id as engines report it: 64 lowercase hex digits.
is_container_id() {
  case "$1" in
    *[!0-9a-f]*) return 1 ;;
  esac
  [ "${#1}" -eq 64 ]
}

# An absolute path with no "." or ".." component and no empty component
# other than a trailing slash: what Docker reports, and nothing that can climb.
is_clean_abs_path() {
  case "$1" in
    /*) ;;
    *) return 1 ;;
  esac
  case "$1/" in
    */./*|*/../*|*//*) return 1 ;;
  esac
  return 0
}

# Sets $st_ppid and $st_start from /proc/PID/stat (fields 4 and 22), or
# returns 1. The command name sits in parentheses and may itself hold spaces
# or ')', so the fields are taken after the last ") ".
read_stat() {
  st_ppid=""
  st_start=""
  [ -r /proc/"$1"/stat ] || return 1
  # The name is the process's own choice and may hold newlines: the whole
  # file is joined, so a name cannot push the numbers onto a line of its own.
  _statline=""
  { while IFS= read -r _l || [ -n "$_l" ]; do _statline="$_statline $_l"; done < /proc/"$1"/stat; } 2>/dev/null || return 1
  # Word splitting of the numeric tail is intended.
  # shellcheck disable=SC2086
  set -- ${_statline##*) }
  [ $# -ge 20 ] || return 1
  st_ppid=$2
  st_start=${20}
  is_number "$st_ppid" && is_number "$st_start"
}

# cgroup_names PID ID: true when /proc/PID/cgroup names container ID. The
# kernel writes that file; a container cannot. Read with the shell's own read
# (no process per pid): a hundred pids would otherwise be a hundred greps.
cgroup_names() {
  [ -r /proc/"$1"/cgroup ] || return 1
  while IFS= read -r _cg; do
    case "$_cg" in
      *"$2"*) return 0 ;;
    esac
  done < /proc/"$1"/cgroup
  return 1
}

# cgroup_names_any PID: true when PID's cgroup names any of the ids in $all_ids.
cgroup_names_any() {
  for _id in $all_ids; do
    cgroup_names "$1" "$_id" && return 0
  done
  return 1
}

# Which `ip` can print JSON? The host's iproute2 can; busybox's cannot. Only
# two mount namespaces are ever tried: this script's own, and the verified
# host's (the parent of a verified container process, or PID 1, which no
# container can be). Absolute paths, because busybox sh and nsenter prefer
# their own applets to PATH.
pick_ip() {
  IP_MODE=none
  IP_BIN=ip
  if ip -j link show lo >/dev/null 2>&1; then
    IP_MODE=direct
    return
  fi
  [ "$ref_source" = self ] && return
  for cand in /usr/sbin/ip /sbin/ip /usr/bin/ip /bin/ip; do
    if nsenter --mount=/proc/"$ref"/ns/mnt "$cand" -j link show lo >/dev/null 2>&1; then
      IP_MODE=hostmnt
      IP_BIN=$cand
      return
    fi
  done
}

# read_with_ip PID INODE: every link of PID's network namespace, with details
# and addresses, into $tmp/l.INODE. Only netlink is read in there: ip opens no
# file of the container's. exec keeps it to one process when backgrounded.
read_with_ip() {
  case "$IP_MODE" in
    direct) exec nsenter --net=/proc/"$1"/ns/net ip -j -d addr show > "$tmp/l.$2" 2>/dev/null ;;
    hostmnt) exec nsenter --mount=/proc/"$ref"/ns/mnt --net=/proc/"$1"/ns/net "$IP_BIN" -j -d addr show > "$tmp/l.$2" 2>/dev/null ;;
  esac
}

# Waits for the `ip` runs in $batch ("PID:INODE" words) under one watchdog. A
# run that fails or is killed leaves an empty reading, which the caller
# reports as unreadable, never half a JSON document.
finish_batch() {
  [ -n "$batch" ] || return 0
  _pids=""
  for _b in $batch; do _pids="$_pids ${_b%%:*}"; done
  # No descriptor of ours: a watchdog outliving its batch must not hold the reply's pipe open.
  # shellcheck disable=SC2086
  ( sleep "$IP_TIMEOUT"; kill -9 $_pids 2>/dev/null ) </dev/null >/dev/null 2>&1 &
  _dog=$!
  for _b in $batch; do
    wait "${_b%%:*}" || : > "$tmp/l.${_b#*:}"
  done
  kill "$_dog" 2>/dev/null
  batch=""
}

make_tmp() {
  # Prefer memory: this directory holds a few small files for a few milliseconds.
  # Named as ours, so a leftover (a SIGKILL leaves one) says whose it is.
  tmp=$(mktemp -d -p /dev/shm container-internals-helper.XXXXXX 2>/dev/null || mktemp -d -t container-internals-helper.XXXXXX 2>/dev/null) || die_json "cannot create a temporary directory"
  trap 'rm -rf "$tmp"' EXIT
  # A runner's timeout sends TERM, and a reader that went away sends PIPE:
  # remove the directory first, then take every child along. This shell
  # ignores the TERM it sends its own group; the children, started earlier,
  # do not.
  trap 'trap "" TERM INT HUP PIPE; rm -rf "$tmp"; kill 0 2>/dev/null; exit 143' TERM INT HUP PIPE
}

# verdict PID ID VERIFIED REASON: appends one pid's verdict to $verdicts.
# REASON is a fixed word of this script (or null); PID and ID were validated.
verdict() {
  if [ "$4" = null ]; then
    verdicts="$verdicts{\"pid\":$1,\"id\":\"$2\",\"verified\":$3,\"reason\":null},"
  else
    verdicts="$verdicts{\"pid\":$1,\"id\":\"$2\",\"verified\":$3,\"reason\":\"$4\"},"
  fi
}

# collect step 1: PID:ID arguments, validated, into $pairs and $all_ids.
parse_pairs() {
  all_ids=""
  pairs=""
  for a in "$@"; do
    p=${a%%:*}
    id=${a#*:}
    if ! is_number "$p" || [ "$p" = 0 ] || ! is_container_id "$id"; then
      die_json "arguments must be PID:CONTAINER_ID"
    fi
    all_ids="$all_ids $id"
    pairs="$pairs $p:$id"
  done
}

# collect step 2: each pid whose cgroup names its container goes into $good
# as PID:ID:START:PPID; the others get their verdict now.
verify_pids() {
  verdicts=""
  good=""
  for a in $pairs; do
    p=${a%%:*}
    id=${a#*:}
    if ! read_stat "$p"; then
      verdict "$p" "$id" false gone
    elif ! cgroup_names "$p" "$id"; then
      verdict "$p" "$id" false cgroup
    else
      good="$good $p:$id:$st_start:$st_ppid"
    fi
  done
}

# collect step 3: the host, into $ref, $ref_source and $ref_start.
# The host, for Docker, is wherever containerd runs: what --network host
# and --pid host join. The parent of a verified container init (the shim,
# or conmon) is there, and its parentage cannot be forged from inside a
# container. It must not itself sit in a container's cgroup, and must be
# older than its child. PID 1 of this pid namespace comes next (no
# container of this engine can be it), then this script itself.
find_host_reference() {
  ref=""
  ref_source=self
  for g in $good; do
    rest=${g#*:*:}
    start=${rest%%:*}
    pp=${rest#*:}
    if ! is_number "$pp" || [ "$pp" -le 1 ]; then continue; fi
    read_stat "$pp" || continue
    [ "$st_start" -le "$start" ] || continue
    cgroup_names_any "$pp" && continue
    [ -e /proc/"$pp"/ns/net ] || continue
    ref=$pp
    ref_source=parent
    ref_start=$st_start
    break
  done
  if [ -z "$ref" ] && [ -e /proc/1/ns/net ]; then
    ref=1
    ref_source=init
    read_stat 1 && ref_start=$st_start
  fi
  if [ -z "$ref" ]; then
    ref=$$
    ref_source=self
    ref_start=0
  fi
}

# collect step 4: the inode of every namespace of the host and of each
# verified pid, into $tmp/ns (JSON pairs) and $tmp/net (one line per netns file).
# One stat for every namespace of every pid: spawning readlink per namespace
# per pid costs about a second for a hundred containers. stat -L follows the
# nsfs magic link, and the inode it reports is the namespace id shown as
# net:[INODE] by readlink.
stat_namespaces() {
  nsfiles=""
  netfiles=" /proc/$ref/ns/net"
  for t in $NS_TYPES; do
    [ -e /proc/"$ref"/ns/"$t" ] && nsfiles="$nsfiles /proc/$ref/ns/$t"
  done
  for g in $good; do
    p=${g%%:*}
    netfiles="$netfiles /proc/$p/ns/net"
    for t in $NS_TYPES; do
      [ -e /proc/"$p"/ns/"$t" ] && nsfiles="$nsfiles /proc/$p/ns/$t"
    done
  done
  # Both lists hold only /proc/DIGITS/ns/NAME words built above, so splitting is safe.
  # shellcheck disable=SC2086
  stat -L -c '["%n",%i],' $nsfiles > "$tmp/ns" 2>/dev/null
  # shellcheck disable=SC2086
  stat -L -c '%n %i' $netfiles > "$tmp/net" 2>/dev/null
}

# collect step 5: each distinct network namespace read once, with `ip`
# (netlink only), a few at a time, into $tmp/h.INODE and $tmp/l.INODE.
read_network_namespaces() {
  printf '},' > "$tmp/close"
  seen=" "
  parts=""
  batch=""
  running=0
  ref_net=""
  while read -r path ino; do
    case "$seen" in
      *" $ino "*) continue ;;
    esac
    seen="$seen$ino "
    p=${path#/proc/}
    p=${p%%/*}
    [ "$p" = "$ref" ] && ref_net=$ino
    printf '{"pid":%s,"inode":%s,"links":' "$p" "$ino" > "$tmp/h.$ino"
    : > "$tmp/l.$ino"
    parts="$parts $ino"
    if [ "$IP_MODE" != none ]; then
      read_with_ip "$p" "$ino" &
      batch="$batch $!:$ino"
      running=$((running + 1))
      if [ "$running" -ge "$IP_PARALLEL" ]; then
        finish_batch
        running=0
      fi
    fi
  done < "$tmp/net"
  finish_batch
}

# collect step 6: a pid whose start time changed was reused while we read:
# its readings belong to someone else, so it is reported unverified and its
# facts dropped. The host reference must have held too.
recheck_pids() {
  for g in $good; do
    p=${g%%:*}
    rest=${g#*:}
    id=${rest%%:*}
    rest=${rest#*:}
    start=${rest%%:*}
    if read_stat "$p" && [ "$st_start" = "$start" ]; then
      verdict "$p" "$id" true null
    else
      verdict "$p" "$id" false reused
    fi
  done
  if [ "$ref_source" != self ] && ! { read_stat "$ref" && [ "$st_start" = "$ref_start" ]; }; then
    die_json "the host reference process ended while it was read; try again"
  fi
}

# collect step 7: the one reply, stitched from the pieces in $tmp.
print_collect() {
  envelope true
  printf ',"ipMode":"%s","reference":{"pid":%s,"source":"%s","netns":%s},"pids":[%snull],"namespaces":[' \
    "$IP_MODE" "$ref" "$ref_source" "${ref_net:-null}" "$verdicts"
  printf 'null],"netns":[' > "$tmp/mid"
  printf 'null]}\n' > "$tmp/end"
  set -- "$tmp/ns" "$tmp/mid"
  for ino in $parts; do
    [ -s "$tmp/l.$ino" ] || printf 'null' > "$tmp/l.$ino"
    set -- "$@" "$tmp/h.$ino" "$tmp/l.$ino" "$tmp/close"
  done
  cat "$@" "$tmp/end"
}

# collect PID:ID...: namespaces and links of each container process the
# engine reported, verified first. Prints one document with every pid's
# verdict, the host reference, namespace inodes and `ip -j -d addr` per netns.
collect() {
  parse_pairs "$@"
  make_tmp
  verify_pids
  find_host_reference
  stat_namespaces
  pick_ip
  read_network_namespaces
  recheck_pids
  print_collect
}

# enter PID:ID [NAMESPACE...] -- COMMAND [ARGS...]
# Joins the chosen namespaces of a verified container process and execs
# COMMAND there with this side's tools, like `docker exec` minus the files.
# Interactive: errors go to stderr as one line; the exit status is COMMAND's.
# mnt is refused: joining it would run the container's own binaries as full
# root (every capability, no seccomp, no cgroup); the caller runs that case
# through the engine's exec, which applies the container's confinement.
enter() {
  target=${1:-}
  [ $# -gt 0 ] && shift
  pid=${target%%:*}
  id=${target#*:}
  if ! is_number "$pid" || ! is_container_id "$id"; then
    echo "container-internals-helper: enter needs PID:CONTAINER_ID" >&2
    exit 125
  fi
  if ! cgroup_names "$pid" "$id"; then
    echo "container-internals-helper: process $pid is not a process of container ${id%"${id#????????????}"} (it may have exited)" >&2
    exit 125
  fi
  # --process TPID:START: the namespaces of another process of the container
  # (one that joined later may differ from its init), checked like a signal's target.
  if [ "${1:-}" = --process ]; then
    _tp=${2:-}
    shift 2 2>/dev/null || shift $#
    parse_pairs "$target"
    verify_pids
    find_host_reference
    if ! belongs "${_tp%%:*}" "${_tp#*:}"; then
      echo "container-internals-helper: process ${_tp%%:*} has ended, or is no longer this container's" >&2
      exit 125
    fi
    pid=${_tp%%:*}
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
      cgroup) flags="$flags -C" ;;
      user) flags="$flags -U" ;;
      mnt)
        echo "container-internals-helper: the mnt namespace is entered through the engine's exec, not the host helper" >&2
        exit 125
        ;;
      *)
        echo "container-internals-helper: unknown namespace (use net, pid, uts, ipc, cgroup, user)" >&2
        exit 125
        ;;
    esac
    shift
  done
  [ $# -gt 0 ] || set -- /bin/sh
  # shellcheck disable=SC2086
  exec nsenter -t "$pid" $flags -- "$@"
}

# At most this many processes are described for one container: a fork bomb
# in a container must not turn one look into minutes of reading.
MAX_PROCESSES=2000
# A command line is cut here (the caller marks it cut when one byte more came).
MAX_CMDLINE=4096

# container_pid PID:ID: validates and verifies one container process, setting
# $pid, $id, $good (for find_host_reference) and $verdicts.
container_pid() {
  parse_pairs "$1"
  verify_pids
  pid=${pairs# }
  pid=${pid%%:*}
  id=${pairs#*:}
}

# ns_inodes PID: "TYPE:INODE " words for every namespace of PID, in $ns_of,
# from one stat (a fork per namespace would be most of a look's cost).
ns_inodes() {
  ns_of=""
  _files=""
  for _t in $NS_TYPES; do
    [ -e /proc/"$1"/ns/"$_t" ] && _files="$_files /proc/$1/ns/$_t"
  done
  [ -n "$_files" ] || return 0
  # Only /proc/DIGITS/ns/NAME words, so splitting is safe; the output is "NAME INODE" lines.
  # shellcheck disable=SC2086
  ns_of=$(stat -L -c '%n %i' $_files 2>/dev/null | while read -r _path _ino; do printf '%s:%s ' "${_path##*/}" "$_ino"; done)
  ns_of="$ns_of "
}

# own_namespaces: the container's namespaces that are not the host's, as
# "TYPE:INODE " words in $own_ns. Sharing the host's is not joining the
# container: a --pid host container must not claim every host process.
own_namespaces() {
  ns_inodes "$ref"
  host_ns=$ns_of
  ns_inodes "$pid"
  own_ns=""
  for _w in $ns_of; do
    case " $host_ns" in
      *" $_w "*) ;;
      *) own_ns="$own_ns$_w " ;;
    esac
  done
}

# belongs TARGET START: true when TARGET still is the process that started at
# START and is the container's: in its cgroup, or in one of its own namespaces.
belongs() {
  if ! is_number "$1" || ! is_number "$2"; then return 1; fi
  if ! read_stat "$1" || [ "$st_start" != "$2" ]; then return 1; fi
  cgroup_names "$1" "$id" && return 0
  own_namespaces
  ns_inodes "$1"
  for _w in $own_ns; do
    case " $ns_of" in
      *" $_w "*) return 0 ;;
    esac
  done
  return 1
}

# cgroup_files: the container's cgroup limits and usage, read from the host's
# cgroup mount (through the verified host reference's root, so the helper
# container needs no extra mount). v1 controllers win over v2 where both exist.
cgroup_files() {
  if [ "$ref_source" = self ]; then cg_root=/sys/fs/cgroup; else cg_root=/proc/$ref/root/sys/fs/cgroup; fi
  cg_version=0
  cg_files=""
  cg_v2=""
  while IFS= read -r _cg; do
    _n=${_cg%%:*}
    _rest=${_cg#*:}
    _ctrls=${_rest%%:*}
    _path=${_rest#*:}
    is_clean_abs_path "$_path" || continue
    if [ "$_n" = 0 ] && [ -z "$_ctrls" ]; then
      cg_v2=$_path
      continue
    fi
    # Split on commas by IFS, not by a tr per line.
    _ifs=$IFS
    IFS=,
    # shellcheck disable=SC2086
    set -- $_ctrls
    IFS=$_ifs
    for _c in "$@"; do
      case "$_c" in
        memory) cg_read "$cg_root/$_c$_path" "$cg_root/$_ctrls$_path" memory.limit_in_bytes memory.usage_in_bytes ;;
        cpu) cg_read "$cg_root/$_c$_path" "$cg_root/$_ctrls$_path" cpu.cfs_quota_us cpu.cfs_period_us cpu.shares ;;
        cpuacct) cg_read "$cg_root/$_c$_path" "$cg_root/$_ctrls$_path" cpuacct.usage ;;
        pids) cg_read "$cg_root/$_c$_path" "$cg_root/$_ctrls$_path" pids.max pids.current ;;
        *) continue ;;
      esac
      cg_version=1
    done
  done < /proc/"$pid"/cgroup
  if [ "$cg_version" = 0 ] && [ -n "$cg_v2" ]; then
    cg_version=2
    cg_read "$cg_root$cg_v2" "$cg_root$cg_v2" memory.max memory.current cpu.max cpu.weight pids.max pids.current
    if [ -r "$cg_root$cg_v2/cpu.stat" ]; then
      while read -r _k _v; do
        [ "$_k" = usage_usec ] && is_number "$_v" && cg_files="${cg_files}[\"cpu.stat usage_usec\",\"$_v\"],"
      done < "$cg_root$cg_v2/cpu.stat"
    fi
  fi
}

# cg_read DIR ALTDIR FILE...: the first line of each FILE found, kept only
# when it is numbers and words ("max", "max 100000").
cg_read() {
  _dir=$1
  [ -d "$_dir" ] || _dir=$2
  shift 2
  for _f in "$@"; do
    [ -r "$_dir/$_f" ] || continue
    read -r _v < "$_dir/$_f" 2>/dev/null || continue
    case "$_v" in
      ''|*[!0-9a-z\ -]*) continue ;;
    esac
    cg_files="${cg_files}[\"$_f\",\"$_v\"],"
  done
}

# status_fields PID: NSpid, Uid and Gid from /proc/PID/status, tabs made
# spaces. The kernel escapes the name line there, so no line can be forged.
status_fields() {
  st_nspid=""
  st_uid=""
  st_gid=""
  { while IFS= read -r _line; do
      case "$_line" in
        NSpid:*) st_nspid=${_line#NSpid:} ;;
        Uid:*) st_uid=${_line#Uid:} ;;
        Gid:*) st_gid=${_line#Gid:} ;;
      esac
    done < /proc/"$1"/status; } 2>/dev/null || return 1
  for _v in "$st_nspid" "$st_uid" "$st_gid"; do
    case "$_v" in
      *[!0-9\ \	]*) return 1 ;;
    esac
  done
  # Tabs to single spaces by word splitting and "$*", without a fork per field.
  # shellcheck disable=SC2086
  set -- $st_nspid
  st_nspid="$*"
  # shellcheck disable=SC2086
  set -- $st_uid
  st_uid="$*"
  # shellcheck disable=SC2086
  set -- $st_gid
  st_gid="$*"
}

# add_pids FILE: the pids in FILE (one per line) not yet in $seen, onto $list,
# up to MAX_PROCESSES.
add_pids() {
  while IFS= read -r _p; do
    is_number "$_p" || continue
    case "$seen" in *" $_p "*) continue ;; esac
    if [ "$count" -ge "$MAX_PROCESSES" ]; then
      truncated=true
      break
    fi
    seen="$seen$_p "
    list="$list $_p"
    count=$((count + 1))
  done < "$1"
}

# processes PID:ID: every process of one verified container as the host sees
# it: the members of its cgroup, and any other process in one of its own
# namespaces (an nsenter that joined only its net, say). Per process: the host
# pid, parent, start time, NSpid, uid/gid, namespace inodes and command line
# (base64, bytes as they are). Process names are shown, never trusted: no
# decision here depends on them.
processes() {
  [ $# -eq 1 ] || die_json "processes needs one PID:CONTAINER_ID"
  make_tmp
  container_pid "$1"
  if [ -z "$good" ]; then
    envelope true
    printf ',"pids":[%snull],"processes":[null],"namespaces":[null]}\n' "$verdicts"
    return
  fi
  start0=${good#*:*:}
  start0=${start0%%:*}
  find_host_reference
  own_namespaces
  btime=0
  while read -r _k _v; do
    [ "$_k" = btime ] && btime=$_v
  done < /proc/stat
  # Members: one grep over every process's cgroup file, which the kernel writes.
  grep -l -F -e "$id" /proc/[0-9]*/cgroup 2>/dev/null | awk -F/ '{ print $3 }' > "$tmp/members"
  # Joiners: one stat over the namespaces the container does not share with the host.
  _types=""
  for _w in $own_ns; do _types="$_types ${_w%%:*}"; done
  : > "$tmp/joined"
  if [ -n "$_types" ]; then
    for _t in $_types; do set -- "$@" /proc/[0-9]*/ns/"$_t"; done
    shift
    # The globs above expand to /proc/DIGITS/ns/NAME only; awk matches
    # thousands of lines at once where a shell loop takes a tenth of a second.
    stat -L -c '%n %i' "$@" 2>/dev/null | awk -v own=" $own_ns" '{ n = split($1, part, "/"); if (index(own, " " part[n] ":" $2 " ")) print part[3] }' > "$tmp/joined"
  fi
  seen=" "
  list=""
  count=0
  truncated=false
  add_pids "$tmp/members"
  members=$seen
  add_pids "$tmp/joined"
  : > "$tmp/procs"
  nsfiles=""
  for q in $list; do
    read_stat "$q" || continue
    q_start=$st_start
    q_ppid=$st_ppid
    status_fields "$q" || continue
    cg=""
    case "$members" in
      *" $q "*) member=true ;;
      # Whose cgroup a joiner is in tells another container's process (a
      # shared pid namespace) from a host process that entered this one.
      *) member=false; cg=$(head -c 2048 /proc/"$q"/cgroup 2>/dev/null | base64 | tr -d '\n') ;;
    esac
    cmd=$(head -c $((MAX_CMDLINE + 1)) /proc/"$q"/cmdline 2>/dev/null | base64 | tr -d '\n')
    comm=""
    # Kernel threads and zombies have no command line: their name stands in.
    if [ -z "$cmd" ]; then comm=$(head -c 64 /proc/"$q"/comm 2>/dev/null | base64 | tr -d '\n'); fi
    # The same process still, or its readings are someone else's.
    if ! read_stat "$q" || [ "$st_start" != "$q_start" ]; then continue; fi
    printf '{"pid":%s,"ppid":%s,"start":%s,"member":%s,"nspid":"%s","uid":"%s","gid":"%s","cmd":"%s","comm":"%s","cgroup":"%s"},' \
      "$q" "$q_ppid" "$q_start" "$member" "$st_nspid" "$st_uid" "$st_gid" "$cmd" "$comm" "$cg" >> "$tmp/procs"
    for _t in $NS_TYPES; do [ -e /proc/"$q"/ns/"$_t" ] && nsfiles="$nsfiles /proc/$q/ns/$_t"; done
  done
  # Only /proc/DIGITS/ns/NAME words, so splitting is safe.
  # shellcheck disable=SC2086
  [ -n "$nsfiles" ] && stat -L -c '["%n",%i],' $nsfiles > "$tmp/ns" 2>/dev/null
  [ -e "$tmp/ns" ] || : > "$tmp/ns"
  uid_map=""
  case " $own_ns" in
    *" user:"*)
      while read -r _a _b _c; do uid_map="$uid_map$_a $_b $_c,"; done < /proc/"$pid"/uid_map
      case "$uid_map" in *[!0-9\ ,]*) uid_map="" ;; esac
      ;;
  esac
  cgroup_files
  # The container's init must have held too, or everything read is in doubt.
  if ! read_stat "$pid" || [ "$st_start" != "$start0" ]; then
    verdicts=""
    verdict "$pid" "$id" false reused
    envelope true
    printf ',"pids":[%snull],"processes":[null],"namespaces":[null]}\n' "$verdicts"
    return
  fi
  verdict "$pid" "$id" true null
  envelope true
  printf ',"pids":[%snull],"reference":{"pid":%s,"source":"%s"},"btime":%s,"truncated":%s,"uidMap":"%s","cgroup":{"version":%s,"files":[%snull]},"processes":[' \
    "$verdicts" "$ref" "$ref_source" "$btime" "$truncated" "$uid_map" "$cg_version" "$cg_files"
  cat "$tmp/procs"
  printf 'null],"namespaces":['
  cat "$tmp/ns"
  printf 'null]}\n'
}

# signal PID:ID TARGET START SIGNAL: sends TERM, INT, HUP or KILL to TARGET,
# only while it is still the process that started at START (not a reused pid)
# and still the container's (see belongs).
send_signal() {
  [ $# -eq 4 ] || die_json "signal needs PID:CONTAINER_ID TARGET START SIGNAL"
  case "$4" in
    TERM|INT|HUP|KILL) ;;
    *) die_json "the signal must be TERM, INT, HUP or KILL" ;;
  esac
  container_pid "$1"
  [ -n "$good" ] || die_json "the container's process is gone or is not the container's"
  find_host_reference
  belongs "$2" "$3" || die_json "the process has ended, or its pid now belongs to another process"
  kill -s "$4" "$2" 2>/dev/null || die_json "the signal could not be sent"
  ok_json ''
}

# host_tool NAME: how to run one of the host's tools (bridge, iptables-save),
# into $tool_cmd: from this mount namespace when ip runs here too, else the
# verified host's own binary, by absolute path, inside its mount namespace.
# Never a binary of a container's.
host_tool() {
  tool_cmd=""
  if [ "$IP_MODE" = direct ] && command -v "$1" >/dev/null 2>&1; then
    tool_cmd=$1
    return 0
  fi
  [ "$ref_source" = self ] && return 1
  for _d in /usr/sbin /sbin /usr/bin /bin; do
    if [ -x "/proc/$ref/root$_d/$1" ]; then
      tool_cmd="nsenter --mount=/proc/$ref/ns/mnt $_d/$1"
      return 0
    fi
  done
  return 1
}

# json_or NULL FILE: FILE's contents when it holds a JSON array, else null.
json_or_null() {
  if [ -s "$1" ] && { read -r _first < "$1"; case "$_first" in '['*) true ;; *) false ;; esac; }; then
    cat "$1"
  else
    printf 'null'
  fi
}

# net-state [PID:ID...]: the host's forwarding state, read in the host's
# network namespace: the bridges' forwarding databases (CAM tables, with
# ageing), the bridges themselves (ageing time), the host's routes and
# neighbours, the NAT and filter tables of whichever iptables the engine
# uses, and docker-proxy processes; plus the IPv4 and IPv6 routes of each
# verified container pid given. JSON from ip and bridge goes out as they
# print it (the caller decodes names as bytes); the rest in base64.
net_state() {
  parse_pairs "$@"
  make_tmp
  verify_pids
  find_host_reference
  pick_ip
  [ "$IP_MODE" = none ] && die_json "the Docker host has no ip that prints JSON (install iproute2)"
  case "$IP_MODE" in
    direct) ipc="ip" ;;
    *) ipc="nsenter --mount=/proc/$ref/ns/mnt $IP_BIN" ;;
  esac
  # Word splitting of $ipc and $tool_cmd is intended: fixed words built above.
  # shellcheck disable=SC2086
  $ipc -j -d link show type bridge > "$tmp/bridges" 2>/dev/null
  # shellcheck disable=SC2086
  $ipc -j route show table main > "$tmp/routes" 2>/dev/null
  # shellcheck disable=SC2086
  $ipc -j neigh show > "$tmp/neigh" 2>/dev/null
  : > "$tmp/fdb"
  # shellcheck disable=SC2086
  host_tool bridge && $tool_cmd -j -s fdb show > "$tmp/fdb" 2>/dev/null
  # The iptables that holds Docker's chains: the nft one, the legacy one, or whichever `iptables-save` is.
  nat_tool=""
  : > "$tmp/nat"
  : > "$tmp/filter"
  for _t in iptables-save iptables-nft-save iptables-legacy-save; do
    host_tool "$_t" || continue
    # shellcheck disable=SC2086
    $tool_cmd -t nat > "$tmp/nat.try" 2>/dev/null || continue
    if grep -q '^:DOCKER ' "$tmp/nat.try"; then
      nat_tool=$_t
      mv "$tmp/nat.try" "$tmp/nat"
      # shellcheck disable=SC2086
      $tool_cmd -t filter > "$tmp/filter" 2>/dev/null
      break
    fi
  done
  # docker-proxy: host processes in no container's cgroup, named by their executable's path.
  proxies=""
  # One ls for every process (a readlink each would cost seconds on a busy host);
  # the names listed are /proc/DIGITS/exe only.
  # shellcheck disable=SC2012
  for _p in $(ls -l /proc/[0-9]*/exe 2>/dev/null | awk '$NF ~ /\/docker-proxy$/ { split($(NF-2), f, "/"); print f[3] }'); do
    is_number "$_p" || continue
    cgroup_names_any "$_p" && continue
    read_stat "$_p" || continue
    proxies="$proxies{\"pid\":$_p,\"start\":$st_start,\"cmd\":\"$(head -c 4096 /proc/"$_p"/cmdline 2>/dev/null | base64 | tr -d '\n')\"},"
  done
  envelope true
  printf ',"ipMode":"%s","reference":{"pid":%s,"source":"%s"},"natTool":"%s","bridges":' "$IP_MODE" "$ref" "$ref_source" "$nat_tool"
  json_or_null "$tmp/bridges"
  printf ',"routes":'
  json_or_null "$tmp/routes"
  printf ',"neigh":'
  json_or_null "$tmp/neigh"
  printf ',"fdb":'
  json_or_null "$tmp/fdb"
  printf ',"nat":"%s","filter":"%s","proxies":[%snull],"containers":[' "$(base64 < "$tmp/nat" | tr -d '\n')" "$(base64 < "$tmp/filter" | tr -d '\n')" "$proxies"
  for g in $good; do
    p=${g%%:*}
    rest=${g#*:}
    id=${rest%%:*}
    rest=${rest#*:}
    start=${rest%%:*}
    case "$IP_MODE" in
      direct)
        nsenter --net=/proc/"$p"/ns/net ip -j route show table main > "$tmp/r4" 2>/dev/null
        nsenter --net=/proc/"$p"/ns/net ip -j -6 route show table main > "$tmp/r6" 2>/dev/null
        ;;
      *)
        nsenter --mount=/proc/"$ref"/ns/mnt --net=/proc/"$p"/ns/net "$IP_BIN" -j route show table main > "$tmp/r4" 2>/dev/null
        nsenter --mount=/proc/"$ref"/ns/mnt --net=/proc/"$p"/ns/net "$IP_BIN" -j -6 route show table main > "$tmp/r6" 2>/dev/null
        ;;
    esac
    # A pid reused while it was read: its routes are someone else's.
    if ! read_stat "$p" || [ "$st_start" != "$start" ]; then
      verdict "$p" "$id" false reused
      continue
    fi
    verdict "$p" "$id" true null
    printf '{"pid":%s,"id":"%s","v4":' "$p" "$id"
    json_or_null "$tmp/r4"
    printf ',"v6":'
    json_or_null "$tmp/r6"
    printf '},'
  done
  printf 'null],"pids":[%snull]}\n' "$verdicts"
}

# capture PID:ID WHERE IFACE COUNT SECONDS [FILTER...]: the host's tcpdump on
# one interface, in the verified container's network namespace (WHERE is
# "container") or the host's (WHERE is "host": veths and bridges), bounded by
# COUNT packets and SECONDS. The pcap goes to stdout as bytes; a failure is
# one JSON reply (this script's) or tcpdump's own words on stderr. The filter
# reaches tcpdump as argv after "--", never through a shell. Nothing is
# installed or run inside the container.
capture() {
  [ $# -ge 5 ] || die_json "capture needs PID:CONTAINER_ID WHERE IFACE COUNT SECONDS [FILTER...]"
  _target=$1
  _where=$2
  _iface=$3
  _count=$4
  _seconds=$5
  shift 5
  case "$_where" in
    container|host) ;;
    *) die_json "capture WHERE must be container or host" ;;
  esac
  case "$_iface" in
    ''|-*|*[!A-Za-z0-9_.:@-]*) die_json "the interface name has characters capture does not take" ;;
  esac
  if ! is_number "$_count" || [ "$_count" -lt 1 ] || [ "$_count" -gt 100000 ]; then die_json "the packet count must be 1 to 100000"; fi
  if ! is_number "$_seconds" || [ "$_seconds" -lt 1 ] || [ "$_seconds" -gt 3600 ]; then die_json "the time limit must be 1 to 3600 seconds"; fi
  parse_pairs "$_target"
  verify_pids
  [ -n "$good" ] || die_json "the container's process is gone or is not the container's"
  find_host_reference
  pick_ip
  host_tool tcpdump || die_json "tcpdump is not installed on the Docker host (Debian and Ubuntu: apt install tcpdump; Fedora: dnf install tcpdump)"
  _p=${good# }
  _p=${_p%%:*}
  [ "$_where" = host ] && _p=$ref
  # -U: each packet written as it comes; -s: whole frames; -n: no name lookups (no traffic of our own).
  # Word splitting of $tool_cmd is intended: fixed words built by host_tool.
  # shellcheck disable=SC2086
  nsenter --net=/proc/"$_p"/ns/net $tool_cmd -i "$_iface" -U -n -s 262144 -c "$_count" -w - -- "$@" &
  _dump=$!
  ( sleep "$_seconds"; kill -TERM "$_dump" 2>/dev/null ) </dev/null >/dev/null 2>&1 &
  _dog=$!
  wait "$_dump"
  _status=$?
  kill "$_dog" 2>/dev/null
  # Ended by the time limit (TERM) is a normal end: what was captured is whole.
  [ "$_status" = 143 ] && _status=0
  exit "$_status"
}

# Host paths (volume mountpoints, bind sources, overlay dirs) are paths in
# the daemon's mount namespace. On the host that is "/"; in the helper
# container, the runner binds the daemon's "/" at $HOST_ROOT.
HOST_ROOT=""

# no_symlink_in PATH: true when no existing component of $HOST_ROOT-relative
# PATH is a symlink. A container that can write into a bind-mounted folder
# could otherwise point our mkdir or du anywhere on the host.
no_symlink_in() {
  _rest=${1#/}
  _at=$HOST_ROOT
  while [ -n "$_rest" ]; do
    _part=${_rest%%/*}
    case "$_rest" in
      */*) _rest=${_rest#*/} ;;
      *) _rest="" ;;
    esac
    [ -n "$_part" ] || continue
    _at="$_at/$_part"
    [ -L "$_at" ] && return 1
    [ -e "$_at" ] || return 0
  done
  return 0
}

# inside WITHIN PATH: moves into $HOST_ROOT/PATH with `cd -P` and checks that
# the physical directory it landed in is WITHIN or below it. The working
# directory then pins that directory: later reads are relative to it, so a
# component swapped for a symlink afterwards changes nothing.
inside() {
  if ! is_clean_abs_path "$1" || ! is_clean_abs_path "$2"; then
    die_json "paths must be absolute, with no . or .. parts"
  fi
  case "$2/" in
    "${1%/}/"*) ;;
    *) die_json "the path is not inside the given root" ;;
  esac
  cd -P -- "$HOST_ROOT$1" 2>/dev/null || die_json "the root does not exist"
  within_phys=$(pwd -P)
  cd -P -- "$HOST_ROOT$2" 2>/dev/null || die_json "not a directory"
  here_phys=$(pwd -P)
  case "$here_phys/" in
    "${within_phys%/}/"*) ;;
    *) die_json "the path leaves its root through a symlink" ;;
  esac
}

# prepare-bind DIR: makes sure DIR exists for a bind-backed volume, creating
# it (mkdir -p, default permissions) if needed. Reports how many levels it
# created, so a failed volume create can remove exactly those and no more.
prepare_bind() {
  is_clean_abs_path "${1:-}" || die_json "the bind directory must be an absolute path with no . or .. parts"
  no_symlink_in "$1" || die_json "the bind path goes through a symlink; give its real path"
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
  # A symlink raced in between the check and mkdir would show here.
  no_symlink_in "$1" || die_json "the bind path changed into a symlink while it was created"
  ok_json ",\"created\":$levels"
}

# undo-bind DIR LEVELS: removes the LEVELS innermost directories of DIR that
# prepare-bind created, only while they are empty.
undo_bind() {
  is_clean_abs_path "${1:-}" || die_json "the bind directory must be an absolute path with no . or .. parts"
  no_symlink_in "$1" || die_json "the bind path goes through a symlink"
  dir=$HOST_ROOT$1
  levels=${2:-0}
  is_number "$levels" || die_json "levels must be a number"
  removed=0
  d=$dir
  while [ "$removed" -lt "$levels" ]; do
    rmdir -- "$d" 2>/dev/null || break
    removed=$((removed + 1))
    d=$(dirname -- "$d")
  done
  ok_json ",\"removed\":$removed"
}

# du PATH: disk usage in KiB (on demand, never on a refresh). du never
# follows symlinks below PATH, and PATH itself must not go through one.
disk_usage() {
  is_clean_abs_path "${1:-}" || die_json "the path must be absolute, with no . or .. parts"
  no_symlink_in "$1" || die_json "the path goes through a symlink"
  set -- "$HOST_ROOT$1"
  [ -e "$1" ] || die_json "the path does not exist"
  kib=$(du -sk -- "$1" 2>/dev/null | { read -r n _; echo "$n"; })
  is_number "$kib" || die_json "du failed"
  ok_json ",\"kib\":$kib"
}

# ls-dir WITHIN DIR: the entries of DIR, which must stay inside WITHIN (a
# container's root, a layer, a mount source). Read from the daemon's mount
# namespace: for a container's rootfs that is the image without the
# container's own mounts on top, so it shows what a mount hides. Names go out
# NUL-separated in one base64 field, directories, then files, then symlinks,
# then everything else, each list ended by an empty name (no name is empty),
# so every byte of every name arrives; symlinks are listed, never followed.
list_dir() {
  inside "${1:-}" "${2:-}"
  envelope true
  printf ',"entries":"'
  {
    for kind in d f l; do
      find . -mindepth 1 -maxdepth 1 -type "$kind" -print0 2>/dev/null
      printf '\0'
    done
    find . -mindepth 1 -maxdepth 1 ! -type d ! -type f ! -type l -print0 2>/dev/null
    printf '\0'
  } | base64 | tr -d '\n'
  printf '"}\n'
}

# read-file WITHIN PATH MAX: a regular file's bytes (base64), at most MAX.
# The file is opened first and its real path checked after, so a name
# swapped for a symlink between the checks is caught; FIFOs and devices are
# refused before opening, and the runner's timeout ends any read that blocks.
read_file() {
  within=${1:-}
  file=${2:-}
  max=${3:-}
  is_number "$max" || die_json "the size limit must be a number"
  is_clean_abs_path "$file" || die_json "the path must be absolute, with no . or .. parts"
  name=${file##*/}
  [ -n "$name" ] || die_json "not a file"
  inside "$within" "${file%/*}"
  [ -L "$name" ] && die_json "the file is a symlink"
  if [ ! -f "$name" ] || [ ! -r "$name" ]; then die_json "not a readable regular file"; fi
  exec 3< "$name" || die_json "cannot open the file"
  opened=$(readlink "/proc/$$/fd/3")
  [ "$opened" = "${here_phys%/}/$name" ] || die_json "the file changed into a symlink while it was opened"
  [ -f "/proc/$$/fd/3" ] || die_json "not a regular file"
  # The size from the inode, not by reading: a huge file must cost nothing until it is read (and then only MAX).
  size=$(stat -L -c %s "/proc/$$/fd/3")
  is_number "$size" || die_json "cannot read the file's size"
  if [ "$size" -gt "$max" ]; then
    envelope true
    printf ',"size":%s,"truncated":true,"base64":"' "$size"
    head -c "$max" <&3 | base64 | tr -d '\n'
  else
    envelope true
    printf ',"size":%s,"truncated":false,"base64":"' "$size"
    base64 <&3 | tr -d '\n'
  fi
  printf '"}\n'
}

if [ "${1:-}" = --root ]; then
  HOST_ROOT=${2:-}
  if ! is_clean_abs_path "$HOST_ROOT" || [ "$HOST_ROOT" = / ]; then die_json "--root must be an absolute path"; fi
  HOST_ROOT=${HOST_ROOT%/}
  shift 2
fi
cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
  collect) collect "$@" ;;
  enter) enter "$@" ;;
  processes) processes "$@" ;;
  signal) send_signal "$@" ;;
  net-state) net_state "$@" ;;
  capture) capture "$@" ;;
  prepare-bind) prepare_bind "$@" ;;
  undo-bind) undo_bind "$@" ;;
  du) disk_usage "$@" ;;
  ls-dir) list_dir "$@" ;;
  read-file) read_file "$@" ;;
  version) ok_json '' ;;
  *) die_json "unknown subcommand" ;;
esac
