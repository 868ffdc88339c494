#!/usr/bin/env bash
# A throwaway sshd on 127.0.0.1 in front of the lab engine, for testing ssh://
# endpoints for real. Everything lives in STATE_DIR: host and user keys made
# here, known_hosts, a client config, and an `ssh` shim that uses that config
# (so the product runs plain `ssh` from PATH, as it would for a user, and the
# user's own ~/.ssh is never touched).
#   test/lab/sshd.sh start STATE_DIR PORT    prints nothing on success
#   test/lab/sshd.sh stop STATE_DIR
set -euo pipefail
action=$1
state=$2

if [ "$action" = stop ]; then
  if [ -f "$state/sshd.pid" ]; then
    pid=$(cat "$state/sshd.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  exit 0
fi

port=$3
if ! command -v sshd >/dev/null 2>&1 && [ ! -x /usr/sbin/sshd ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q openssh-server >/dev/null
fi
mkdir -p "$state/bin" /run/sshd
# The remote side logs in as its own user, in the docker group, whose shell is
# plain sh: root's shell would source root's rc files (a language version
# manager's rehash there took a minute under a lock when sessions overlapped),
# and a docker-group user over ssh is what users have.
SSH_USER=cilab-ssh
getent group docker >/dev/null || groupadd --system docker
id "$SSH_USER" >/dev/null 2>&1 || useradd --system --no-create-home --home-dir / --shell /bin/sh "$SSH_USER"
usermod -a -G docker "$SSH_USER"
# "*": no password to log in with, but not a locked account (sshd refuses those even for keys).
usermod -p '*' "$SSH_USER"
# Others may pass through (sshd reads authorized_keys as the login user), not list it.
chmod 711 "$state"
ssh-keygen -q -t ed25519 -N '' -f "$state/host_key" </dev/null
ssh-keygen -q -t ed25519 -N '' -f "$state/user_key" </dev/null
ssh-keygen -q -t ed25519 -N '' -f "$state/other_host_key" </dev/null
mkdir -p "$state/auth"
chmod 755 "$state/auth"
cp "$state/user_key.pub" "$state/auth/authorized_keys"
chmod 644 "$state/auth/authorized_keys"
cat > "$state/sshd_config" <<CFG
Port $port
ListenAddress 127.0.0.1
HostKey $state/host_key
PidFile none
AuthorizedKeysFile $state/auth/authorized_keys
PermitRootLogin no
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
CFG
echo "[127.0.0.1]:$port $(cut -d' ' -f1-2 "$state/host_key.pub")" > "$state/known_hosts"
echo "[127.0.0.1]:$port $(cut -d' ' -f1-2 "$state/other_host_key.pub")" > "$state/wrong_known_hosts"
for which in good wrong; do
  kh="$state/known_hosts"; [ "$which" = wrong ] && kh="$state/wrong_known_hosts"
  cat > "$state/ssh_config_$which" <<CFG
Host cilab-ssh
  HostName 127.0.0.1
  Port $port
  User $SSH_USER
  IdentityFile $state/user_key
  IdentitiesOnly yes
  UserKnownHostsFile $kh
  StrictHostKeyChecking yes
CFG
  mkdir -p "$state/bin-$which"
  printf '#!/bin/sh\nexec /usr/bin/ssh -F %s "$@"\n' "$state/ssh_config_$which" > "$state/bin-$which/ssh"
  chmod 755 "$state/bin-$which/ssh"
done
# In the foreground (-D) and backgrounded here, so the pid we kill is exactly ours.
"$(command -v sshd || echo /usr/sbin/sshd)" -D -f "$state/sshd_config" -E "$state/sshd.log" </dev/null >/dev/null 2>&1 &
echo $! > "$state/sshd.pid"
for _ in $(seq 1 50); do
  if "$state/bin-good/ssh" -o BatchMode=yes cilab-ssh true 2>/dev/null; then exit 0; fi
  sleep 0.1
done
echo "sshd did not accept a login on 127.0.0.1:$port" >&2
tail -5 "$state/sshd.log" >&2
exit 1
