#!/usr/bin/env bash
# A user that is not root but may run the host helper through `sudo -n`, for
# testing the sudo runner: the locked account cilab-sudo (no password, no login
# shell), in the docker group for the engine's socket, allowed exactly `sh` and
# `true` as root without a password. Only root can become it (setpriv, su).
set -euo pipefail
USER_NAME=cilab-sudo
[ "$(id -u)" = 0 ] || { echo "sudo-user: needs root" >&2; exit 1; }
if ! command -v sudo >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q sudo >/dev/null
fi
getent group docker >/dev/null || groupadd --system docker
id "$USER_NAME" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$USER_NAME"
usermod -a -G docker "$USER_NAME"
passwd -l "$USER_NAME" >/dev/null 2>&1 || true
rule="$USER_NAME ALL=(root) NOPASSWD: /usr/bin/sh, /bin/sh, /usr/bin/true, /bin/true"
tmp=$(mktemp)
printf '%s\n' "$rule" > "$tmp"
visudo -cqf "$tmp"
install -m 0440 "$tmp" /etc/sudoers.d/cilab-sudo
rm -f "$tmp"
echo "sudo-user: $USER_NAME may run sh through sudo -n"
