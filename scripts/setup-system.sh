#!/usr/bin/env bash
# Install the system packages docgen's renderers and test suite need (Debian/Ubuntu).
#   libharfbuzz-subset0     HarfBuzz font subsetting: WeasyPrint is ~4x faster with it
#   fonts-dejavu-core       Latin, Greek, Cyrillic
#   fonts-ipafont-gothic    CJK (ja_JP names and the fullwidth yen sign)
#   fonts-crosextra-*       metric-compatible Calibri/Cambria for DOCX in LibreOffice
#   libreoffice-writer-nogui  the test suite opens every generated DOCX in a real word processor
#   poppler-utils           pdftotext/pdffonts for checks
#   postgresql              the multi-user database the test suite also runs against
#   chromium                the browser the web app's end-to-end tests drive (Playwright)
#   nginx                   the reverse proxy of deploy/nginx/docgen.conf, which the deployment
#                           tests run on loopback ports (Debian starts its default site on port
#                           80 where systemd runs: `systemctl disable --now nginx` if unwanted)
#   npm                     fetches htmx and axe-core from the npm registry (scripts/web-assets.sh);
#                           installed only when no npm is on the PATH (a Node.js from elsewhere
#                           brings its own, and Debian's npm would conflict with it)
# Packages already present are skipped, so a second run costs nothing.
set -euo pipefail
PKGS=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-ipafont-gothic
      fonts-crosextra-carlito fonts-crosextra-caladea libreoffice-writer-nogui poppler-utils postgresql
      chromium nginx)
command -v npm >/dev/null 2>&1 || PKGS+=(npm)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "docgen set-up: this is not a Debian-like system; install by hand: ${missing[*]}" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "docgen set-up: need root to install: ${missing[*]} (run: sudo apt-get install ${missing[*]})" >&2
    exit 1
  fi
fi
echo "docgen set-up: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
