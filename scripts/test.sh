#!/usr/bin/env bash
# `npm test`: every suite with Jest (arguments go to Jest), on a machine that can pull the official
# images and on one that cannot. The image settings a caller gives (CAMPAIGN_TESTENV_*_IMAGE,
# RYUK_CONTAINER_IMAGE, TESTCONTAINERS_HUB_IMAGE_NAME_PREFIX) are used as they are. Without any, the
# run uses the official images when they are all present or a registry answers (pulling the small
# Redis image finds out, within PROBE_SECONDS); otherwise it builds the local image set
# (images/build.sh: several minutes the first time, about a second once built) and loads
# images/local.env, leaving alone any setting already given (a flavour, say). This is the project's
# own test command only: the package itself never picks images this way.
set -euo pipefail
cd "$(dirname "$0")/.."

PROBE_SECONDS=60

say() { echo "campaign-testenv (npm test): $*" >&2; }

# Runs a command for at most PROBE_SECONDS where coreutils' timeout exists (not on macOS by default).
bounded() {
  if command -v timeout >/dev/null; then timeout "$PROBE_SECONDS" "$@"; else "$@"; fi
}

# The images this run would use: each service's for the flavour chosen (first line: Redis's), then
# the reaper's, as Testcontainers names it.
run_images() {
  node -r ts-node/register/transpile-only -e '
    const { readFileSync } = require("node:fs");
    const path = require("node:path");
    const { images } = require("./src/options").resolveOptions();
    const reaper = path.join(path.dirname(require.resolve("testcontainers/package.json")), "build/reaper/reaper.js");
    const ryuk = /"(testcontainers\/ryuk:[^"]+)"/.exec(readFileSync(reaper, "utf8"));
    if (!ryuk) throw new Error(`no default reaper image found in ${reaper}`);
    console.log([images.redis, ...Object.values(images), ryuk[1]].join("\n"));
  '
}

use_local_images() {
  local line key
  bash images/build.sh
  while IFS= read -r line; do
    key=${line%%=*}
    if [ -n "$line" ] && [ -z "${!key:-}" ]; then export "$line"; fi
  done <images/local.env
  say "the local image set is selected (images/local.env)"
}

given=$(env | grep -E '^(CAMPAIGN_TESTENV_[A-Z]+_IMAGE|RYUK_CONTAINER_IMAGE|TESTCONTAINERS_HUB_IMAGE_NAME_PREFIX)=.' || true)
if [ -n "$given" ]; then
  : # the caller chose the images
elif ! docker info >/dev/null 2>&1; then
  : # no engine: the unit layer runs, and the integration suites say how to start one
elif ! list=$(run_images); then
  say "could not tell which images this run uses (the error is above); running Jest as it is"
else
  images=()
  while IFS= read -r line; do images+=("$line"); done <<<"$list"
  if ! docker image inspect "${images[@]}" >/dev/null 2>&1; then
    if probe=$(bounded docker pull --quiet "${images[0]}" 2>&1); then
      : # a registry answers: Testcontainers pulls the rest
    else
      say "no registry answers (docker pull ${images[0]}: ${probe:-no answer in $PROBE_SECONDS s}), and the" \
        "official images are not all here: building the local image set (images/build.sh)"
      use_local_images
    fi
  fi
fi
exec npx jest "$@"
