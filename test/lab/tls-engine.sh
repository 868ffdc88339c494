#!/usr/bin/env bash
# A second, TLS-only dockerd on 127.0.0.1, beside the lab engine, with its own
# data root, exec root, pid file, socket and bridge (cilab-br2), and no
# iptables rules, so nothing clashes with the first. (Not --bridge=none: a
# daemon started that way deletes docker0, which belongs to the lab engine.) Certificates are made here with openssl: a CA, a server
# certificate for 127.0.0.1, a client certificate, and an unrelated CA for the
# "wrong CA" case.
#   test/lab/tls-engine.sh start STATE_DIR PORT
#   test/lab/tls-engine.sh stop STATE_DIR
#   test/lab/tls-engine.sh kill STATE_DIR         dockerd dies at once (SIGKILL), as in a crash
#   test/lab/tls-engine.sh resume STATE_DIR PORT  dockerd again, with the same certificates and data
set -euo pipefail
action=$1
state=$2

BRIDGE=cilab-br2

start_dockerd() {
  dockerd --tlsverify --tlscacert "$state/certs/ca.pem" --tlscert "$state/certs/server-cert.pem" --tlskey "$state/certs/server-key.pem" \
    -H "tcp://127.0.0.1:$1" -H "unix://$state/docker.sock" \
    --data-root "$state/data" --exec-root "$state/exec" --pidfile "$state/dockerd.pid" \
    --bridge "$BRIDGE" --iptables=false --ip-masq=false >>"$state/dockerd.log" 2>&1 </dev/null &
  for _ in $(seq 1 150); do
    if docker -H "unix://$state/docker.sock" version >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  echo "the TLS dockerd did not start" >&2
  tail -20 "$state/dockerd.log" >&2
  return 1
}

if [ "$action" = kill ]; then
  pid=$(cat "$state/dockerd.pid")
  kill -KILL "$pid"
  for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  # A killed dockerd leaves its pid file and socket behind, as a crash would.
  exit 0
fi
if [ "$action" = resume ]; then
  rm -f "$state/dockerd.pid"
  start_dockerd "$3"
  exit $?
fi

if [ "$action" = stop ]; then
  if [ -f "$state/dockerd.pid" ]; then
    pid=$(cat "$state/dockerd.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  # A dockerd that was killed (the kill action) never unmounted what it mounted
  # under its data root: undo those too, deepest first, so the state can go.
  awk -v s="$state/" 'index($2, s) == 1 { print $2 }' /proc/mounts | sort -r | while read -r m; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done
  ip link del "$BRIDGE" 2>/dev/null || true
  exit 0
fi

port=$3
command -v openssl >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get install -y -q openssl >/dev/null
mkdir -p "$state/certs" "$state/client" "$state/wrong"
cd "$state/certs"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj '/CN=cilab test CA' -keyout ca-key.pem -out ca.pem 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj '/CN=127.0.0.1' -keyout server-key.pem -out server.csr 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > server.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 2 -extfile server.ext -out server-cert.pem 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj '/CN=cilab client' -keyout key.pem -out client.csr 2>/dev/null
printf 'extendedKeyUsage=clientAuth\n' > client.ext
openssl x509 -req -in client.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 2 -extfile client.ext -out cert.pem 2>/dev/null
cp ca.pem cert.pem key.pem "$state/client/"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj '/CN=someone else' -keyout "$state/wrong/ca-key.pem" -out "$state/wrong/ca.pem" 2>/dev/null
cp cert.pem key.pem "$state/wrong/"
cd - >/dev/null
ip link del "$BRIDGE" 2>/dev/null || true
ip link add "$BRIDGE" type bridge
ip addr add 172.31.250.1/24 dev "$BRIDGE"
ip link set "$BRIDGE" up

start_dockerd "$port"
