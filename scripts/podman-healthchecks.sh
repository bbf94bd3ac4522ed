#!/usr/bin/env bash
# Podman runs container health checks from systemd timers; without systemd (containers, CI sandboxes)
# a health status stays "starting" forever and Testcontainers' health-check wait times out. This loop
# runs the checks itself, once a second, for every container whose health is still starting.
# Usage: bash scripts/podman-healthchecks.sh &   (stop it with kill %1, or kill its pid)
set -uo pipefail
while true; do
  for id in $(podman ps --filter health=starting --format '{{.ID}}' 2>/dev/null); do
    podman healthcheck run "$id" >/dev/null 2>&1 || true
  done
  sleep 1
done
