#!/usr/bin/env bash
# Lints the GitHub Actions workflows: the project's own (.github/workflows) and the example for
# consuming repos (docs/examples), so a broken expression or a typo in a key fails here, not on
# GitHub. actionlint is pinned and installed once into ~/.cache/campaign-testenv/bin; a second run
# installs nothing. actionlint also runs shellcheck on every `run:` block when shellcheck is on PATH
# (GitHub's ubuntu runners have it; without it that part is skipped).
set -euo pipefail
cd "$(dirname "$0")/.."

ACTIONLINT_VERSION=1.7.12
bin_dir="${XDG_CACHE_HOME:-$HOME/.cache}/campaign-testenv/bin"
actionlint="$bin_dir/actionlint"

# The version is checked, not only the file's presence, so that raising ACTIONLINT_VERSION reinstalls.
installed() {
  [ -x "$actionlint" ] && [ "$("$actionlint" -version 2>/dev/null | head -n 1 | sed 's/^v//')" = "$ACTIONLINT_VERSION" ]
}

# From the Go module proxy: what this project's machines reach. Go may be installed but not on PATH.
install_with_go() {
  local go
  go=$(command -v go || true)
  [ -n "$go" ] || { [ -x /usr/local/go/bin/go ] && go=/usr/local/go/bin/go; } || {
    tried+=("go install: no Go on PATH nor in /usr/local/go")
    return 1
  }
  echo "campaign-testenv: installing actionlint $ACTIONLINT_VERSION with $("$go" version | cut -d' ' -f3) into $bin_dir" >&2
  GOBIN="$bin_dir" CGO_ENABLED=0 "$go" install "github.com/rhysd/actionlint/cmd/actionlint@v$ACTIONLINT_VERSION" || {
    tried+=("go install: failed (its error is above; is the Go module proxy reachable?)")
    return 1
  }
}

# Without Go: the release binary from GitHub, checked against the release's checksums.
install_release() {
  local os arch name url tmp
  os=$(uname -s | tr '[:upper:]' '[:lower:]')
  case "$(uname -m)" in
    x86_64 | amd64) arch=amd64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *)
      tried+=("release download: no release binary for $(uname -m)")
      return 1
      ;;
  esac
  command -v curl >/dev/null 2>&1 || {
    tried+=("release download: curl is not installed")
    return 1
  }
  name="actionlint_${ACTIONLINT_VERSION}_${os}_${arch}.tar.gz"
  url="https://github.com/rhysd/actionlint/releases/download/v$ACTIONLINT_VERSION"
  echo "campaign-testenv: downloading actionlint $ACTIONLINT_VERSION ($name) into $bin_dir" >&2
  tmp=$(mktemp -d)
  # Chained with &&: set -e does not apply inside a command tested by ||, and an unverified binary
  # must never reach the cache.
  (
    cd "$tmp" &&
      curl -fsSL --retry 2 -o "$name" "$url/$name" &&
      curl -fsSL --retry 2 -o checksums.txt "$url/actionlint_${ACTIONLINT_VERSION}_checksums.txt" &&
      grep " $name\$" checksums.txt | sha256sum -c --quiet - &&
      tar -xzf "$name" actionlint &&
      mv actionlint "$bin_dir/actionlint"
  ) || {
    rm -rf "$tmp"
    tried+=("release download: $url/$name failed or did not match its checksum (is github.com reachable?)")
    return 1
  }
  rm -rf "$tmp"
}

if ! installed; then
  mkdir -p "$bin_dir"
  tried=()
  if ! install_with_go && ! install_release; then
    echo "campaign-testenv: could not install actionlint $ACTIONLINT_VERSION:" >&2
    printf '  - %s\n' "${tried[@]}" >&2
    echo "Fix: install Go (https://go.dev/dl), or download actionlint $ACTIONLINT_VERSION from" \
      "https://github.com/rhysd/actionlint/releases and put the binary at $actionlint; then run again." >&2
    exit 1
  fi
  installed || {
    echo "campaign-testenv: $actionlint does not report version $ACTIONLINT_VERSION; remove it and run again." >&2
    exit 1
  }
fi

shopt -s nullglob
files=(.github/workflows/*.yml .github/workflows/*.yaml docs/examples/*.yml docs/examples/*.yaml)
[ "${#files[@]}" -gt 0 ] || { echo "campaign-testenv: no workflow files to lint" >&2; exit 1; }
"$actionlint" "$@" "${files[@]}"
echo "actionlint $ACTIONLINT_VERSION: ${#files[@]} files OK"
