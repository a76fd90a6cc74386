#!/usr/bin/env bash
# Fetch the two front-end files docgen uses from the npm registry, pinned by version and by the
# SHA-256 of the package tarball (npm also checks the registry's integrity hash):
#   htmx.org   the web app's live parts (pages work without it)      -> docgen/web/static/vendor/
#   axe-core   the accessibility scan of the browser tests            -> tests/web/vendor/
# Nothing is copied into git: the files are fetched here, once, and kept out of it (.gitignore).
set -euo pipefail
cd "$(dirname "$0")/.."
fetch() {  # package version sha256 file-in-package destination
  local pkg=$1 ver=$2 sum=$3 inner=$4 dest=$5
  [ -s "$dest" ] && [ -f "$dest.version" ] && [ "$(cat "$dest.version")" = "$pkg@$ver" ] && return 0
  if ! command -v npm >/dev/null 2>&1; then
    echo "docgen set-up: npm is needed to fetch $pkg@$ver (apt-get install npm)" >&2; exit 1
  fi
  local tmp; tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "$pkg@$ver" >/dev/null)
  local tgz; tgz=$(ls "$tmp"/*.tgz)
  echo "$sum  $tgz" | sha256sum -c --quiet - || { echo "docgen set-up: $pkg@$ver checksum differs" >&2; exit 1; }
  mkdir -p "$(dirname "$dest")"
  tar -xzf "$tgz" -C "$tmp" "package/$inner" package/LICENSE
  cp "$tmp/package/$inner" "$dest"
  cp "$tmp/package/LICENSE" "$dest.LICENSE"
  echo "$pkg@$ver" > "$dest.version"
  rm -rf "$tmp"
}
fetch htmx.org 2.0.11 165a2655073e9e6e55e307a7c74e8ebcdb76afb7701f9c16cfd106a13add408e \
  dist/htmx.min.js docgen/web/static/vendor/htmx.min.js
if [ "${1:-}" = "--test" ]; then
  fetch axe-core 4.14.1 e6b0ce02b84d892e2e33e403485e7f3d6c29e2be6df65daf44d89ba564139745 \
    axe.min.js tests/web/vendor/axe.min.js
fi
