#!/usr/bin/env bash
# The real-engine lab: a Docker engine plus scenario containers that cover the
# shapes Docker can produce on one host. Everything it creates carries the
# label dev.container-internals.lab=1 and the name prefix "cilab-", so it
# shares an existing engine safely and cleans up only its own objects.
#
#   test/lab/lab.sh up      engine + images + scenarios (recreated from scratch)
#   test/lab/lab.sh down    remove the scenarios (the engine keeps running)
#   test/lab/lab.sh images  only build the local images
#   test/lab/lab.sh crowd N a crowd of N idle containers (crowd-0 …) on the cilab-crowd network,
#                           so that size bugs fail the suites; removed by down
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LAB_STATE="${LAB_STATE:-${XDG_CACHE_HOME:-$HOME/.cache}/container-internals-lab}"
export LAB_STATE
LABEL=dev.container-internals.lab=1
BUSYBOX_IMAGE=container-internals-lab/busybox:1
SHELLLESS_IMAGE=container-internals-lab/shellless:1
DATA_IMAGE=container-internals-lab/data:1
DATA_DIR="$LAB_STATE/data"

image_exists() { docker image inspect "$1" >/dev/null 2>&1; }

# Never pull: no registry is reachable. Images are imported from local rootfs tarballs.
build_images() {
  local bb
  bb="$(command -v busybox)"
  if ! image_exists "$BUSYBOX_IMAGE"; then
    local root; root="$(mktemp -d)"
    mkdir -p "$root/bin" "$root/tmp" "$root/etc" "$root/proc" "$root/sys" "$root/dev"
    cp "$bb" "$root/bin/busybox"
    local applet
    for applet in $("$bb" --list); do
      [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
    done
    echo 'root:x:0:0:root:/root:/bin/sh' > "$root/etc/passwd"
    echo 'nobody:x:65534:65534:nobody:/:/bin/false' >> "$root/etc/passwd"
    tar -C "$root" -c . | docker import -c 'ENV PATH=/bin' -c 'CMD ["sh"]' - "$BUSYBOX_IMAGE" >/dev/null
    rm -rf "$root"
  fi
  if ! image_exists "$SHELLLESS_IMAGE"; then
    # Distroless-like: one static binary, no /bin/sh, so `docker exec ... sh` fails.
    local root; root="$(mktemp -d)"
    cp "$bb" "$root/busybox"
    tar -C "$root" -c . | docker import -c 'CMD ["/busybox","sleep","86400"]' - "$SHELLLESS_IMAGE" >/dev/null
    rm -rf "$root"
  fi
  if ! image_exists "$DATA_IMAGE"; then
    # An image with its own files at /data, to show what a mount on /data hides.
    local root; root="$(mktemp -d)"
    mkdir -p "$root/bin" "$root/data/from-image"
    cp "$bb" "$root/bin/busybox"
    for applet in sh sleep ls cat; do ln -sf busybox "$root/bin/$applet"; done
    echo "baked into the image" > "$root/data/from-image/readme.txt"
    tar -C "$root" -c . | docker import -c 'ENV PATH=/bin' - "$DATA_IMAGE" >/dev/null
    rm -rf "$root"
  fi
}

# remove_listed "LIST COMMAND" "REMOVE COMMAND": ids come as lines, go as separate argv words.
remove_listed() {
  local -a ids
  mapfile -t ids < <($1)
  [ "${#ids[@]}" -eq 0 ] || $2 "${ids[@]}" >/dev/null
}

down() {
  remove_listed "docker ps -aq --filter label=$LABEL" "docker rm -f -v"
  # The daemon frees a removed container's endpoints a moment after `rm` returns,
  # so wait for them, within bounds. dockerd 20.10 can also keep a stale endpoint
  # with no container at all (seen here after a crowd of removals): such a
  # network is left in place and reused, rather than failing the whole lab.
  local net
  for net in $(docker network ls -q --filter "label=$LABEL"); do
    for _ in $(seq 1 25); do
      docker network rm "$net" >/dev/null 2>&1 && break
      sleep 0.2
    done
    if docker network inspect "$net" >/dev/null 2>&1; then
      echo "lab: network $(docker network inspect -f '{{.Name}}' "$net") keeps a stale endpoint; left in place and reused" >&2
    fi
  done
  remove_listed "docker volume ls -q --filter label=$LABEL" "docker volume rm -f"
  # Anonymous volumes are removed with their containers by `rm -v`; catch leftovers by our mark.
  remove_listed "docker volume ls -q --filter label=dev.container-internals.lab-anon=1" "docker volume rm -f"
}

run() { docker run -d --label "$LABEL" "$@" >/dev/null; }

up() {
  bash "$here/engine.sh"
  # The capture tests run the host's tcpdump, as a user's host would have it.
  if ! command -v tcpdump >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q tcpdump >/dev/null 2>&1 ||
      { DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q tcpdump >/dev/null; }
  fi
  build_images
  # A non-root user with `sudo -n` for the sudo runner's tests.
  bash "$here/sudo-user.sh"
  down
  rm -rf "$DATA_DIR"
  mkdir -p "$DATA_DIR/src/nested" "$DATA_DIR/dir with spaces" "$DATA_DIR/\$(touch hostile-ran) 'q\" ;x"
  echo "hello from the host" > "$DATA_DIR/src/hello.txt"
  echo "nested" > "$DATA_DIR/src/nested/inner.txt"
  echo "lab=1" > "$DATA_DIR/lab.conf"
  echo "spaces" > "$DATA_DIR/dir with spaces/file.txt"

  docker network inspect cilab-net-a >/dev/null 2>&1 || docker network create --label "$LABEL" --subnet 172.30.1.0/24 cilab-net-a >/dev/null
  docker network inspect cilab-net-b >/dev/null 2>&1 || docker network create --label "$LABEL" --subnet 172.30.2.0/24 cilab-net-b >/dev/null
  docker volume create --label "$LABEL" cilab-data >/dev/null

  # web: bind dir + bind file + named + anonymous volume + tmpfs, and the owner of shared namespaces.
  run --name cilab-web --network cilab-net-a --ipc shareable \
    --label com.docker.compose.project=cilab --label com.docker.compose.service=web \
    -v "$DATA_DIR/src:/srv/app" -v "$DATA_DIR/lab.conf:/etc/lab.conf:ro" \
    -v cilab-data:/var/lib/data -v /cache \
    --mount type=tmpfs,destination=/scratch \
    "$BUSYBOX_IMAGE" sleep 86400
  # sidecar: joins web's net, ipc and pid namespaces.
  run --name cilab-sidecar --network container:cilab-web --ipc container:cilab-web --pid container:cilab-web \
    --label com.docker.compose.project=cilab --label com.docker.compose.service=sidecar \
    "$BUSYBOX_IMAGE" sleep 86400
  # multi: multi-homed on two user bridges.
  run --name cilab-multi --network cilab-net-a "$BUSYBOX_IMAGE" sleep 86400
  docker network connect cilab-net-b cilab-multi
  # the default bridge (docker0), and a path with spaces.
  run --name cilab-default -v "$DATA_DIR/dir with spaces:/mnt/with spaces" "$BUSYBOX_IMAGE" sleep 86400
  run --name cilab-host --network host --pid host "$BUSYBOX_IMAGE" sleep 86400
  run --name cilab-none --network none "$BUSYBOX_IMAGE" sleep 86400
  run --name cilab-shellless "$SHELLLESS_IMAGE" /busybox sleep 86400
  # hostile: labels and a mount path that would run commands if they ever reached a shell.
  # The $(...) and backticks are the point: they must stay text all the way through.
  # shellcheck disable=SC2016
  run --name cilab-hostile \
    --label 'evil=$(touch /tmp/cilab-pwned-label)' \
    --label "quote='\";\`touch /tmp/cilab-pwned-tick\`" \
    --label "$(printf 'newline=a\nb')" \
    --label com.docker.compose.project=cilab-evil \
    --label 'com.docker.compose.service=<img src=x onerror="document.title=1">' \
    -v "$DATA_DIR/\$(touch hostile-ran) 'q\" ;x:/mnt/\$(touch x) 'q\" ;x" \
    "$BUSYBOX_IMAGE" sleep 86400
  # under-mount: the image has files at /data; the bind mount hides them.
  run --name cilab-undermount -v "$DATA_DIR/src:/data" "$DATA_IMAGE" sleep 86400
  run --name cilab-paused "$BUSYBOX_IMAGE" sleep 86400
  docker pause cilab-paused >/dev/null
  docker run --label "$LABEL" --name cilab-stopped "$BUSYBOX_IMAGE" true >/dev/null
  # Containers that attack the host helper (test/lab/hostile.sh): the lab CI runs is not a friendly one.
  bash "$here/hostile.sh" up
  echo "lab: $(docker ps -aq --filter "label=$LABEL" | wc -l) scenario containers up (data in $DATA_DIR)"
}

# A crowd on a network of its own: docker0 keeps the lab's own shapes readable.
crowd() {
  local want=$1 have
  docker network inspect cilab-crowd >/dev/null 2>&1 || docker network create --label "$LABEL" cilab-crowd >/dev/null
  have=$(docker ps -q --filter "label=$LABEL" --filter name=^crowd- | wc -l)
  if [ "$have" -lt "$want" ]; then
    seq "$have" $((want - 1)) | xargs -P 8 -I{} docker run -d --label "$LABEL" --name "crowd-{}" --network cilab-crowd "$BUSYBOX_IMAGE" sleep 86400 >/dev/null
  fi
  echo "lab: a crowd of $(docker ps -q --filter "label=$LABEL" --filter name=^crowd- | wc -l) containers on cilab-crowd"
}

case "${1:-up}" in
  up) up ;;
  crowd) crowd "${2:-150}" ;;
  down) down ;;
  images) bash "$here/engine.sh"; build_images ;;
  *) echo "usage: $0 up|down|images|crowd N" >&2; exit 2 ;;
esac
