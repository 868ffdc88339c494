#!/usr/bin/env bash
# Lints every shell script of the project: the host helper above all, which
# runs as root on other people's machines. Installs Debian's package of the
# linter when it is missing and this is root.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v shellcheck >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q shellcheck >/dev/null 2>&1 ||
      { DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q shellcheck >/dev/null; }
  else
    echo "shellcheck: not installed (apt-get install shellcheck)" >&2
    exit 1
  fi
fi
mapfile -t scripts < <(git ls-files '*.sh')
scripts+=(.ci/run)
# The helper is POSIX sh (busybox ash too): check it as such.
shellcheck --shell=sh extension/helper/host-helper.sh
shellcheck "${scripts[@]}"
echo "shellcheck: ${#scripts[@]} scripts clean"
