#!/usr/bin/env bash
# Installs Debian packages: scripts/apt-install.sh PACKAGE... (root on Debian only).
# Some machines have no Debian source configured at all (only what dpkg installed), so when apt knows
# no candidate for a package, this install reads a source list of its own for this Debian release
# from deb.debian.org. Nothing under /etc/apt is changed.
set -euo pipefail

if [ "$(id -u)" != 0 ] || [ ! -f /etc/debian_version ]; then
  echo "campaign-testenv: installing $* needs root on Debian; install it yourself and run again." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
options=()

no_candidate() {
  local package
  for package in "$@"; do
    apt-cache "${options[@]}" policy "$package" 2>/dev/null | grep -q 'Candidate: [^(]' || return 0
  done
  return 1
}

apt-get update -qq || true
if no_candidate "$@"; then
  # shellcheck source=/dev/null
  . /etc/os-release
  list=$(mktemp)
  trap 'rm -f "$list"' EXIT
  for suite in "$VERSION_CODENAME" "$VERSION_CODENAME-updates"; do
    echo "deb http://deb.debian.org/debian $suite main"
  done >"$list"
  echo "deb http://deb.debian.org/debian-security $VERSION_CODENAME-security main" >>"$list"
  options=(-o "Dir::Etc::SourceList=$list" -o Dir::Etc::SourceParts=/dev/null)
  apt-get "${options[@]}" update -qq
fi
apt-get "${options[@]}" install -y -qq --no-install-recommends "$@" >/dev/null
