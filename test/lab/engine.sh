#!/usr/bin/env bash
# Makes sure a Docker engine answers on this machine.
# - If one already answers (DOCKER_HOST or the default socket), it is used as is.
# - Otherwise, on Linux as root, Debian's docker.io is installed if missing and a
#   private dockerd is started in the background; its pid and log live in LAB_STATE.
set -euo pipefail

LAB_STATE="${LAB_STATE:-${XDG_CACHE_HOME:-$HOME/.cache}/container-internals-lab}"
mkdir -p "$LAB_STATE"

engine_answers() {
  timeout 5 docker version --format '{{.Server.Version}}' >/dev/null 2>&1
}

if engine_answers; then
  echo "lab: engine already answers; using it"
  exit 0
fi

if [ "$(id -u)" != 0 ] || [ "$(uname -s)" != Linux ]; then
  echo "lab: no Docker engine answers, and starting one needs root on Linux" >&2
  exit 1
fi

need_pkgs=()
command -v dockerd >/dev/null 2>&1 || need_pkgs+=(docker.io)
[ -x /bin/busybox ] || need_pkgs+=(busybox-static)
command -v nsenter >/dev/null 2>&1 || need_pkgs+=(util-linux)
command -v ip >/dev/null 2>&1 || need_pkgs+=(iproute2)
if [ "${#need_pkgs[@]}" -gt 0 ]; then
  echo "lab: installing ${need_pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q "${need_pkgs[@]}" >/dev/null
fi

echo "lab: starting dockerd (log: $LAB_STATE/dockerd.log)"
setsid dockerd --host unix:///var/run/docker.sock >"$LAB_STATE/dockerd.log" 2>&1 < /dev/null &
echo $! > "$LAB_STATE/dockerd.pid"

for _ in $(seq 1 150); do
  if engine_answers; then
    echo "lab: dockerd answers (pid $(cat "$LAB_STATE/dockerd.pid"))"
    exit 0
  fi
  if ! kill -0 "$(cat "$LAB_STATE/dockerd.pid")" 2>/dev/null; then
    echo "lab: dockerd exited; last log lines:" >&2
    tail -20 "$LAB_STATE/dockerd.log" >&2
    exit 1
  fi
  sleep 0.2
done
echo "lab: dockerd did not answer within 30 s" >&2
tail -20 "$LAB_STATE/dockerd.log" >&2
exit 1
