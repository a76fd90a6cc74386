#!/usr/bin/env bash
# Regenerate the README's screenshots (docs/screenshots/*.png): run the browser tests, which
# drive Chromium at 1280 px and keep a screenshot of each page in test-artifacts/web/, then keep
# the top of the deal list, the deal editor, the CS inbox and legal's templates page as small PNGs.
#
#   scripts/screenshots.sh            # or: make screenshots
#
# Needs the set-up the browser tests need (`make setup`: Chromium, htmx, axe-core).
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-.venv/bin/python}"
rm -f test-artifacts/web/01-deal-list.png test-artifacts/web/02-deal-editor.png \
      test-artifacts/web/05-cs-inbox.png test-artifacts/web/08-templates.png
"$PY" -m pytest -q -p no:cacheprovider tests/web/test_browser.py \
    -k "presales_builds or cs_approves or legal_sees"
"$PY" scripts/screenshots.py
