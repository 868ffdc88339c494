#!/usr/bin/env bash
# Installs code-server 4.100.3 (VS Code 1.100.3) without any download other than
# the npm registry and Debian's apt, into a cache folder outside the repo:
#   ${CODE_SERVER_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/container-internals-code-server}
# Steps follow the offline install recipe for code-server. Idempotent: once done, a marker file makes a
# second run a fast no-op. The last line printed is the path of code-server's entry
# script (run it with `node`). Details go to install.log in the cache folder.
set -Eeuo pipefail

CODE_SERVER_VERSION=4.100.3
CODE_SERVER_HOME="${CODE_SERVER_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/container-internals-code-server}"
PREFIX="$CODE_SERVER_HOME/$CODE_SERVER_VERSION"
PKG="$PREFIX/node_modules/code-server"
ENTRY="$PKG/out/node/entry.js"
MARKER="$PREFIX/.install-complete"
LOG="$CODE_SERVER_HOME/install.log"
APT_PKGS=(libkrb5-dev libxkbfile-dev libsecret-1-dev pkg-config ripgrep chromium)

say() { echo "code-server-install: $*"; }

pkg_installed() {
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]
}

missing=()
for p in "${APT_PKGS[@]}"; do
  pkg_installed "$p" || missing+=("$p")
done

# Native modules are built for one Node ABI: a new Node major means a rebuild.
NODE_ABI="$(node -p process.versions.modules)"
if [ -f "$MARKER" ] && [ -f "$ENTRY" ] && [ "${#missing[@]}" -eq 0 ] &&
  grep -qx "node-abi=$NODE_ABI" "$MARKER"; then
  echo "$ENTRY"
  exit 0
fi

mkdir -p "$CODE_SERVER_HOME"
: >"$LOG"

STEP="start"
on_error() {
  local rc=$? line=$1
  echo "code-server-install: FAILED at step '$STEP' (exit $rc, line $line); last lines of $LOG:" >&2
  tail -n 40 "$LOG" >&2 || true
  exit "$rc"
}
trap 'on_error $LINENO' ERR

# run LABEL CMD...: runs an argv with its output in the log.
run() {
  local label=$1
  shift
  STEP=$label
  say "$label"
  { echo "+ (${PWD}) $*"; } >>"$LOG"
  "$@" >>"$LOG" 2>&1 </dev/null
}

if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "code-server-install: missing Debian packages (${missing[*]}); run as root or install them" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  run "apt-get update" apt-get update -q
  run "apt-get install ${missing[*]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$node_major" -lt 20 ]; then
  echo "code-server-install: Node >= 20 needed (found $(node -v))" >&2
  exit 1
fi

# Keep npm quiet and offline-friendly; node-pty's install script runs `npx node-gyp`.
export npm_config_yes=true npm_config_fund=false npm_config_audit=false \
  npm_config_update_notifier=false npm_config_loglevel=warn

rm -f "$MARKER"
mkdir -p "$PREFIX"
cd "$PREFIX"
# A package.json of its own, so npm never walks up into another project.
[ -f package.json ] || echo '{ "name": "code-server-cache", "private": true }' >package.json

run "npm install code-server@$CODE_SERVER_VERSION (scripts held back)" \
  npm install --ignore-scripts --no-save "code-server@$CODE_SERVER_VERSION"
run "npm rebuild argon2" npm rebuild argon2

cd "$PKG/lib/vscode"
run "lib/vscode: npm install --omit=dev" npm install --omit=dev --ignore-scripts

RG="$(command -v rg)"
mkdir -p node_modules/@vscode/ripgrep/bin
run "lib/vscode: ripgrep from Debian ($RG)" cp -f "$RG" node_modules/@vscode/ripgrep/bin/rg
chmod 755 node_modules/@vscode/ripgrep/bin/rg

run "lib/vscode: npm rebuild native modules (takes a few minutes)" \
  npm rebuild @parcel/watcher @vscode/deviceid @vscode/spdlog kerberos native-watchdog node-pty

ln -sfn node_modules node_modules.asar
ln -sfn code-linux.sh bin/remote-cli/code-server
ln -sfn browser-linux.sh bin/helpers/browser.sh
[ -e bin/remote-cli/code-server ] || { echo "bin/remote-cli/code-linux.sh missing" >>"$LOG"; false; }
[ -e bin/helpers/browser.sh ] || { echo "bin/helpers/browser-linux.sh missing" >>"$LOG"; false; }

cd extensions
run "lib/vscode/extensions: npm install --omit=dev" npm install --omit=dev --ignore-scripts

cd "$PREFIX"
# code-server writes a default config and logs under XDG dirs even for --version:
# keep those in the cache folder, not in the user's home.
run "check: code-server --version" env XDG_CONFIG_HOME="$PREFIX/.check/config" \
  XDG_DATA_HOME="$PREFIX/.check/data" node "$ENTRY" --version
[ -f "$ENTRY" ]
printf 'code-server %s installed %s\nnode-abi=%s\n' "$CODE_SERVER_VERSION" "$(date -u +%FT%TZ)" "$NODE_ABI" >"$MARKER"
say "done (log: $LOG)"
echo "$ENTRY"
