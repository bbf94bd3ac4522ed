#!/usr/bin/env bash
# The package against Podman's Docker-compatible API (Debian's podman, rootful): `up` with PostgreSQL
# and Redis, `health`, `logs`, then Ctrl-C (SIGINT), which must leave no container of the run and exit 0.
# Needs: root, Node >= 22.22 on PATH, and the local image set built for Docker (npm run images:build).
# Machine settings it applies (docs/PODMAN.md): ulimits Podman can raise here, health checks run by a
# loop since there is no systemd, a privileged reaper.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v podman >/dev/null || bash scripts/apt-install.sh podman >/dev/null
npm run build --silent
work=$(mktemp -d /tmp/campaign-testenv-podman-XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

printf '[containers]\ndefault_ulimits = ["nofile=20000:20000", "nproc=20000:20000"]\n' >"$work/containers.conf"
export CONTAINERS_CONF="$work/containers.conf"
socket=/run/podman/podman.sock
if ! curl -sf --unix-socket "$socket" http://d/_ping >/dev/null 2>&1; then
  mkdir -p /run/podman
  podman system service --time=0 "unix://$socket" >"$work/service.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 50); do curl -sf --unix-socket "$socket" http://d/_ping >/dev/null 2>&1 && break; sleep 0.1; done
fi
bash scripts/podman-healthchecks.sh &
pids+=($!)

set -a
. images/local.env
set +a
for image in "$CAMPAIGN_TESTENV_POSTGRES_IMAGE" "$CAMPAIGN_TESTENV_REDIS_IMAGE" "$RYUK_CONTAINER_IMAGE"; do
  podman image exists "$image" || docker save "$image" | podman load -q >/dev/null
done
# Containers earlier checks left behind (the reaper, once the service was stopped under it) keep their
# host-port rules, so a new container given the same random host port would be unreachable.
{
  podman ps -aq --filter label=org.testcontainers.ryuk=true
  podman ps -aq --filter label=campaign-testenv=true
} | xargs -r podman rm -f >/dev/null
export DOCKER_HOST="unix://$socket" TESTCONTAINERS_RYUK_PRIVILEGED=true TMPDIR="$work"

started=$SECONDS
node dist/src/cli.js up --services postgres,redis >"$work/up.out" 2>"$work/up.err" &
up=$!
pids+=($up)
until grep -q "running; press Ctrl-C" "$work/up.err"; do
  kill -0 "$up" 2>/dev/null || { cat "$work/up.err"; echo "podman: up exited early"; exit 1; }
  ((SECONDS - started < 120)) || { cat "$work/up.err"; echo "podman: up not ready in 120 s"; exit 1; }
  sleep 0.5
done
run=$(grep -o '(run [a-z0-9]*)' "$work/up.err" | tr -d '()' | cut -d' ' -f2)
node dist/src/cli.js health
node dist/src/cli.js logs postgres | grep -q "ready to accept connections"
kill -INT "$up"
code=0
wait "$up" || code=$?
left=$(podman ps -a --filter "label=campaign-testenv.run=$run" --format '{{.ID}}' | wc -l)
echo "podman: up ready in $(grep -o 'environment ready in [0-9.]* s' "$work/up.err" | grep -o '[0-9.]* s'), health ok, logs ok, SIGINT exit $code, $left containers of run $run left"
[ "$code" = 0 ] && [ "$left" = 0 ]
