# The README's screenshots (docs/screenshots/), from the browser tests at 1280 px. Included by the
# Makefile: `make screenshots` (set-up first: Chromium, htmx, axe-core).
.PHONY: screenshots

screenshots: setup
	@PYTHON=$(BIN)/python bash scripts/screenshots.sh
