#!/usr/bin/env bash
# An engine whose socket is on this machine but whose processes are not: a
# dockerd in pid, mount and network namespaces of its own, as Docker Desktop,
# Colima or an `ssh -L` forward look from here. The pids it reports mean
# nothing in this machine's /proc, so a helper run here would describe (or
# enter) unrelated processes. Tests check the extension notices.
#   test/lab/far-engine.sh start STATE_DIR IMAGE...   start it and load the images from the lab engine
#   test/lab/far-engine.sh stop STATE_DIR
set -euo pipefail
action=$1
state=$2
shift 2

if [ "$action" = stop ]; then
  if [ -f "$state/unshare.pid" ]; then
    pid=$(cat "$state/unshare.pid")
    # unshare ignores TERM while it waits; with --kill-child the daemon, pid 1
    # of its namespace, dies with it, and every process of the namespace with that.
    kill -KILL "$pid" 2>/dev/null || true
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    rm -f "$state/unshare.pid"
  fi
  rm -rf "$state/data" "$state/exec"
  exit 0
fi

mkdir -p "$state"
setsid unshare --pid --fork --kill-child --mount-proc --net \
  dockerd -H "unix://$state/docker.sock" --data-root "$state/data" --exec-root "$state/exec" --pidfile "$state/dockerd.pid" \
  --iptables=false --ip-masq=false --bridge=none >"$state/dockerd.log" 2>&1 </dev/null &
echo $! > "$state/unshare.pid"
for _ in $(seq 1 150); do
  if docker -H "unix://$state/docker.sock" version >/dev/null 2>&1; then
    for image in "$@"; do docker save "$image" | docker -H "unix://$state/docker.sock" load -q >/dev/null; done
    exit 0
  fi
  sleep 0.2
done
echo "the far dockerd did not start" >&2
tail -20 "$state/dockerd.log" >&2
exit 1
