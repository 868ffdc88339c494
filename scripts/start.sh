#!/usr/bin/env bash
# `npm start`: the extension running in a real VS Code against a real engine.
# - Uses the engine that answers; on a Linux machine without one, as root, it
#   starts the project's private lab engine with demo containers.
# - Desktop VS Code (`code` on PATH): opens this folder with the extension under development.
# - Otherwise: code-server on 127.0.0.1 with the packaged extension installed.
# `npm start -- --cli` prints the snapshot in the terminal instead.
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
if [ "${1:-}" = --cli ]; then
  shift
  exec node dist/cli.js snapshot "$@"
fi
if command -v code >/dev/null 2>&1 && [ -z "${CONTAINER_INTERNALS_USE_CODE_SERVER:-}" ]; then
  exec code --new-window --extensionDevelopmentPath="$PWD" "$PWD"
fi
bash scripts/install-code-server.sh >/dev/null
exec node scripts/start-code-server.mjs
