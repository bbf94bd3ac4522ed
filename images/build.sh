#!/usr/bin/env bash
# Builds the container images the tests run on, locally, since this machine pulls from no registry:
# two Debian bases made with debootstrap and, on them, postgres, redis, localstack, ministack, ferretdb
# and ryuk. Bookworm is the base of all but LocalStack: it has PostgreSQL 15 and Redis 7. LocalStack
# 4.14 is written for Python 3.12+ (bookworm has 3.11), so it gets trixie and its Python 3.13.
# LocalStack and MiniStack are the two AWS flavours; local.env names each (the package picks one).
#
# Each image is tagged campaign-testenv/NAME:HASH, HASH being the first 12 hex digits of a sha256
# over what its build reads: this script, the files of images/NAME, the versions below and, for
# images built on a base, the base's tag. An image whose tag exists is reused, so a second run
# builds nothing. Images are built side by side where they can be (Go builds and wheel downloads on
# the host while debootstrap runs, then the docker builds). At the end images/local.env names them.
#
# Usage: bash images/build.sh (npm run images:build). Needs Docker; to build (not reuse) a base
# also root and debootstrap (installed from Debian when missing), ferretdb and ryuk Go >= 1.24,
# localstack and ministack Python 3 with pip.
# Downloads and Go binaries are cached under ${XDG_CACHE_HOME:-~/.cache}/campaign-testenv/.
set -euo pipefail

DEBIAN_MIRROR=http://deb.debian.org/debian
LOCALSTACK_PYTHON=3.13 # trixie's python3
LOCALSTACK_GLIBC=41    # trixie's glibc, 2.41: the newest manylinux wheels it takes
MINISTACK_PYTHON=3.11  # bookworm's python3
MINISTACK_GLIBC=36     # bookworm's glibc, 2.36
FERRETDB_VERSION=v1.24.2 # the newest v1.24.x on the Go module proxy
# Ryuk 0.14.0 is what testcontainers-node 12 runs by default. Its release tags have no "v" (0.14.0),
# so the Go module proxy knows that release only by the pseudo-version of its commit (b3726afd6cc2).
RYUK_VERSION=0.14.0
RYUK_MODULE_VERSION=v0.0.0-20250926081232-b3726afd6cc2
# localstack's and ministack's versions are pinned, with all their dependencies, in NAME/requirements.txt.

IMAGES=(bookworm trixie postgres redis localstack ministack ferretdb ryuk)
# The Debian base each image is built on.
declare -A BASE=([postgres]=bookworm [redis]=bookworm [ferretdb]=bookworm [ryuk]=bookworm [localstack]=trixie
  [ministack]=bookworm)
PREFIX=campaign-testenv

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/campaign-testenv
work=$(mktemp -d "${TMPDIR:-/tmp}/campaign-testenv-images.XXXXXX")
# --one-file-system: should debootstrap die with /proc or /dev mounted in its tree, leave those alone.
trap 'rm -rf --one-file-system "$work"' EXIT
mkdir -p "$cache" 2>/dev/null || cache="$work/cache" # a cache only saves time
export PATH="$PATH:/usr/local/go/bin"

now() { echo "${EPOCHREALTIME/./}"; } # microseconds
seconds_since() {                      # seconds_since START: "12.3s"
  local us=$(($(now) - $1))
  printf '%d.%ds' $((us / 1000000)) $((us / 100000 % 10))
}

# input_hash NAME [VALUE...]: the first 12 hex digits of a sha256 over this script, the files of
# images/NAME (names, modes and contents) and the VALUEs.
input_hash() {
  local name=$1
  shift
  {
    cat "$here/build.sh"
    printf '%s\n' "$@"
    tar -C "$here/$name" --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 --mode=go-w -cf - .
  } | sha256sum | cut -c1-12
}

# ---- host-side steps: each leaves what the image's Dockerfile copies in $work/ctx/NAME

# go_source MODULE VERSION: prints a writable copy of MODULE@VERSION's source, from the Go module proxy.
go_source() {
  local module=$1 version=$2 dir copy
  dir=$(go mod download -json "$module@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -n "$dir" ] || {
    echo "go mod download $module@$version gave no source directory" >&2
    return 1
  }
  copy="$work/src/${module##*/}"
  mkdir -p "$work/src"
  cp -r "$dir" "$copy"
  chmod -R u+w "$copy"
  echo "$copy"
}

# go_binary OUT SRC PACKAGE: a static binary, built as the projects' release builds do.
go_binary() {
  local out=$1 src=$2 package=$3
  (cd "$src" && CGO_ENABLED=0 GOTOOLCHAIN=local GOAMD64=v1 GOFLAGS=-buildvcs=false \
    go build -trimpath -ldflags='-s -w' -o "$out.partial" "$package")
  mv "$out.partial" "$out"
}

prepare_ferretdb() {
  local out="$cache/go/ferretdb-$FERRETDB_VERSION/ferretdb" src
  if [ ! -x "$out" ]; then
    mkdir -p "$(dirname "$out")"
    src=$(go_source github.com/FerretDB/FerretDB "$FERRETDB_VERSION")
    # FerretDB reads its version from files that its release scripts write (without them it stops).
    echo "$FERRETDB_VERSION" >"$src/build/version/version.txt"
    echo docker >"$src/build/version/package.txt"
    go_binary "$out" "$src" ./cmd/ferretdb
  fi
  cp "$out" "$work/ctx/ferretdb/ferretdb"
}

prepare_ryuk() {
  local out="$cache/go/ryuk-$RYUK_VERSION/ryuk" src
  if [ ! -x "$out" ]; then
    mkdir -p "$(dirname "$out")"
    src=$(go_source github.com/testcontainers/moby-ryuk "$RYUK_MODULE_VERSION")
    go_binary "$out" "$src" .
  fi
  cp "$out" "$work/ctx/ryuk/ryuk"
}

# python_wheels NAME PACKAGE PYTHON GLIBC: the wheels of NAME/requirements.txt for the image's CPython
# PYTHON on a glibc 2.GLIBC, whichever Python the host runs, into NAME's build context. The few packages
# published only as source are pure Python: the host makes wheels of them. Cached by the list's hash.
python_wheels() {
  local name=$1 package=$2 python=$3 glibc=$4 req="$here/$1/requirements.txt" version dir arch platforms=() y sdist
  version=$(sed -n "s/^$package==//p" "$req")
  dir="$cache/wheels/$package-$version-py$python-$(sha256sum <"$req" | cut -c1-12)"
  if [ ! -e "$dir/.complete" ]; then
    rm -rf "$dir"
    mkdir -p "$dir"
    arch=$(uname -m)
    # Every manylinux tag up to the image's glibc.
    for y in $(seq "$glibc" -1 5); do platforms+=(--platform "manylinux_2_${y}_$arch"); done
    platforms+=(--platform "manylinux2014_$arch" --platform "manylinux2010_$arch" --platform "manylinux1_$arch")
    python3 -m pip download --no-deps --progress-bar off --dest "$dir" --requirement "$req" \
      --implementation cp --python-version "$python" --abi "cp${python/./}" \
      --abi abi3 --abi none "${platforms[@]}"
    for sdist in "$dir"/*.tar.gz "$dir"/*.zip; do
      [ -e "$sdist" ] || continue
      python3 -m pip wheel --no-deps --progress-bar off --wheel-dir "$dir" "$sdist"
      rm "$sdist"
    done
    touch "$dir/.complete"
  fi
  cp -r "$dir" "$work/ctx/$name/wheels"
}

prepare_localstack() { python_wheels localstack localstack-core "$LOCALSTACK_PYTHON" "$LOCALSTACK_GLIBC"; }
prepare_ministack() { python_wheels ministack ministack "$MINISTACK_PYTHON" "$MINISTACK_GLIBC"; }

# ---- image builds

# build_base SUITE TAG
build_base() {
  local suite=$1 tag=$2 rootfs="$work/rootfs-$1"
  bash "$here/base/rootfs.sh" "$rootfs" "$suite" "$DEBIAN_MIRROR"
  tar -C "$rootfs" -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'CMD ["bash"]' - "$tag"
  rm -rf --one-file-system "$rootfs"
}

# docker_build NAME TAG: docker build of images/NAME on its base image, with whatever the host-side
# step left in the build context.
docker_build() {
  local name=$1 tag=$2 ctx="$work/ctx/$1"
  cp -r "$here/$name/." "$ctx/"
  # The legacy builder keeps the images of a Dockerfile's earlier stages; a Dockerfile labels them
  # with STAGE_ID, unique to this image of this run, and only those go: a prune by the label alone
  # would also remove the stages of a build still running beside this one (here or in another run).
  local stage_id="${work##*/}-$name"
  docker build --pull=false --build-arg "BASE=${TAGS[${BASE[$name]}]}" --build-arg "STAGE_ID=$stage_id" \
    --tag "$tag" "$ctx"
  docker image prune --force --filter "label=campaign-testenv.build-stage=$stage_id" >/dev/null
}

# ---- running it all

declare -A TAGS
for suite in bookworm trixie; do
  TAGS[$suite]="$PREFIX/debian:$suite-$(input_hash base "$suite" "$DEBIAN_MIRROR")"
done
TAGS[postgres]="$PREFIX/postgres:$(input_hash postgres "${TAGS[bookworm]}")"
TAGS[redis]="$PREFIX/redis:$(input_hash redis "${TAGS[bookworm]}")"
TAGS[localstack]="$PREFIX/localstack:$(input_hash localstack "${TAGS[trixie]}" "$LOCALSTACK_PYTHON")"
TAGS[ministack]="$PREFIX/ministack:$(input_hash ministack "${TAGS[bookworm]}" "$MINISTACK_PYTHON")"
TAGS[ferretdb]="$PREFIX/ferretdb:$(input_hash ferretdb "${TAGS[bookworm]}" "$FERRETDB_VERSION")"
TAGS[ryuk]="$PREFIX/ryuk:$(input_hash ryuk "${TAGS[bookworm]}" "$RYUK_VERSION" "$RYUK_MODULE_VERSION")"

declare -A PREPARE_STEP=([ferretdb]="go build" [ryuk]="go build" [localstack]="wheel download"
  [ministack]="wheel download")

# run_step NAME STEP COMMAND...: runs COMMAND with its output in NAME's log; on failure says which
# image and step failed, shows the end of the log and marks NAME as failed.
run_step() {
  local name=$1 step=$2 rc=0
  shift 2
  echo "==> $step" >>"$work/$name.log"
  # Not "( ... ) || rc=$?": bash ignores set -e inside anything tested by || and would go on past a
  # failing command. The subshell runs untested, with set -e of its own.
  set +e
  (
    set -e
    "$@"
  ) >>"$work/$name.log" 2>&1
  rc=$?
  set -e
  if [ "$rc" -ne 0 ]; then
    {
      echo "images/build.sh: $name: $step failed (exit $rc). The end of its log:"
      tail -n 40 "$work/$name.log" | sed 's/^/  | /'
    } >&2
    touch "$work/$name.failed"
    return 1
  fi
}

# await_base NAME: waits until NAME's base image is there.
await_base() {
  local base=${BASE[$1]}
  until [ -e "$work/$base.done" ]; do
    if [ -e "$work/$base.failed" ]; then
      echo "images/build.sh: $1: not built, as its base image ($base) failed" >&2
      return 1
    fi
    sleep 0.2
  done
}

# image NAME: reuses image NAME when its tag exists; otherwise runs its host-side step, waits for the
# base image and builds it. Prints one line: what it did and how long it took.
image() {
  local name=$1 tag=${TAGS[$1]} start detail=
  if docker image inspect "$tag" >/dev/null 2>&1; then
    printf '%-10s reused %-44s\n' "$name" "$tag"
    touch "$work/$name.done"
    return 0
  fi
  start=$(now)
  mkdir -p "$work/ctx/$name"
  if [ -n "${PREPARE_STEP[$name]:-}" ]; then
    run_step "$name" "${PREPARE_STEP[$name]}" "prepare_$name"
    detail="${PREPARE_STEP[$name]} $(seconds_since "$start"), "
  fi
  if [ -z "${BASE[$name]:-}" ]; then
    run_step "$name" "debootstrap and docker import" build_base "$name" "$tag"
  else
    await_base "$name"
    local build_start
    build_start=$(now)
    run_step "$name" "docker build" docker_build "$name" "$tag"
    detail+="docker build $(seconds_since "$build_start")"
  fi
  touch "$work/$name.done"
  printf '%-10s built  %-44s %s%s\n' "$name" "$tag" "$(seconds_since "$start")" "${detail:+ ($detail)}"
}

main() {
  local start pids=() name failed=0
  start=$(now)
  if [ -f "$here/../scripts/ensure-docker.sh" ]; then
    bash "$here/../scripts/ensure-docker.sh"
  fi
  docker info >/dev/null 2>&1 || {
    echo "images/build.sh: no Docker engine answers" >&2
    exit 1
  }
  # Once, before the bases are built side by side (two apt-get runs at once would fight over its lock).
  if ! command -v debootstrap >/dev/null 2>&1 &&
    ! { docker image inspect "${TAGS[bookworm]}" && docker image inspect "${TAGS[trixie]}"; } >/dev/null 2>&1; then
    echo "images/build.sh: installing debootstrap from Debian (needed for the base images)"
    bash "$here/../scripts/apt-install.sh" debootstrap
  fi

  for name in "${IMAGES[@]}"; do
    image "$name" &
    pids+=($!)
  done
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || failed=1
  done
  if [ "$failed" -ne 0 ]; then
    echo "images/build.sh: some images were not built (see above); images/local.env left as it was" >&2
    exit 1
  fi

  cat >"$here/local.env.partial" <<EOF
CAMPAIGN_TESTENV_POSTGRES_IMAGE=${TAGS[postgres]}
CAMPAIGN_TESTENV_REDIS_IMAGE=${TAGS[redis]}
CAMPAIGN_TESTENV_LOCALSTACK_IMAGE=${TAGS[localstack]}
CAMPAIGN_TESTENV_MINISTACK_IMAGE=${TAGS[ministack]}
CAMPAIGN_TESTENV_MONGO_IMAGE=${TAGS[ferretdb]}
CAMPAIGN_TESTENV_MONGO_FLAVOUR=ferretdb
RYUK_CONTAINER_IMAGE=${TAGS[ryuk]}
EOF
  mv "$here/local.env.partial" "$here/local.env"
  echo "all images ready in $(seconds_since "$start"); images/local.env:"
  cat "$here/local.env"
}

main "$@"
