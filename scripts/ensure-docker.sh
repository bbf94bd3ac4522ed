#!/usr/bin/env bash
# Makes sure a Docker engine answers. A running engine is left alone; on Debian as root with no
# engine, installs docker.io and starts dockerd in the background (these machines have no systemd).
set -euo pipefail

if docker info >/dev/null 2>&1; then
  exit 0
fi

fail() {
  echo "campaign-testenv: no Docker engine answers ($1)." >&2
  echo "Start Docker (Docker Desktop, 'sudo systemctl start docker', or 'sudo dockerd &') and try again." >&2
  exit 1
}

[ "$(id -u)" = 0 ] || fail "not root, so this script will not install or start one"
[ -f /etc/debian_version ] || fail "not Debian, so this script will not install one"

if ! command -v dockerd >/dev/null 2>&1; then
  echo "campaign-testenv: installing docker.io from Debian" >&2
  bash "$(dirname "$0")/apt-install.sh" docker.io iptables
fi

if ! pgrep -x dockerd >/dev/null; then
  echo "campaign-testenv: starting dockerd (log: /var/log/dockerd.log)" >&2
  nohup dockerd >/var/log/dockerd.log 2>&1 &
fi

for _ in $(seq 1 60); do
  docker info >/dev/null 2>&1 && exit 0
  sleep 0.5
done
tail -n 20 /var/log/dockerd.log >&2 || true
fail "dockerd did not answer within 30 s; its log is above"
