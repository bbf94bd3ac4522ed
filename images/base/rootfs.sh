#!/usr/bin/env bash
# Makes the root file system of a base image: a minimal Debian (debootstrap minbase), then this
# folder's files/ on top (apt and dpkg settings), the suite's apt sources, and everything an image
# does not need removed.
# Usage: rootfs.sh ROOTFS SUITE MIRROR   (needs root and debootstrap)
set -euo pipefail

rootfs=$1 suite=$2 mirror=$3
here=$(cd "$(dirname "$0")" && pwd)

debootstrap --variant=minbase "$suite" "$rootfs" "$mirror"
cp -r "$here/files/." "$rootfs/"
# The suite, its updates and its security fixes.
cat >"$rootfs/etc/apt/sources.list" <<EOF
deb $mirror $suite main
deb $mirror $suite-updates main
deb ${mirror%/debian}/debian-security $suite-security main
EOF
rm -f "$rootfs/etc/apt/sources.list.d/debian.sources"

# What debootstrap leaves behind: package lists, downloaded .debs, docs, manuals, translations.
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/* "$rootfs"/var/log/* \
  "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/usr/share/locale/* \
  "$rootfs"/usr/share/lintian/*
find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete
# debootstrap copies the host's resolver settings; Docker writes its own at run time.
rm -f "$rootfs/etc/resolv.conf" "$rootfs/etc/hostname"
