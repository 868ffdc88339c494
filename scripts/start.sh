#!/usr/bin/env bash
# `npm start`: the product running against a real engine. Uses the engine that
# answers; on a Linux machine without one, as root, it starts the project's
# private lab engine with demo containers so there is something to look at.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! timeout 5 docker version >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && [ "$(uname -s)" = Linux ]; then
    bash test/lab/lab.sh up
  else
    echo "start: no Docker engine answers; start one (or set DOCKER_HOST) and try again" >&2
    exit 1
  fi
fi
exec node dist/cli.js snapshot "$@"
