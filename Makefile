# docgen — set-up, demo, tests and benchmarks. Every target creates what it needs:
#   make demo       system packages + virtual environment, then the sample PO, SOW and onboarding form
#   make test       the same set-up, then the whole test suite (SQLite and a throwaway PostgreSQL)
#   make test-fast  the inner loop: everything but the slow tests (PostgreSQL, LibreOffice, and
#                   those listed in tests/slow_tests.txt by scripts/slow_tests.py), about 40 s on
#                   this 2-core machine when it is otherwise idle
#   make serve      the web app on http://127.0.0.1:8000 (prints the first administrator's
#                   password the first time)
#   make bench      the speed figures of SPEC §7 beside their targets
#   make lock       refresh uv.lock from pyproject.toml (the only target that resolves versions)
#
# The virtual environment holds exactly what uv.lock pins (`uv sync --frozen`): a new release of
# any library changes nothing until someone runs `make lock` and commits the result. uv itself is
# installed, at the version below, into .venv-tools by the machine's own pip. uv compiles the
# packages' bytecode when it installs them: this machine sets PYTHONDONTWRITEBYTECODE, so nothing
# else ever writes it, and every Python process (the tests' CLI subprocesses too) would otherwise
# compile pydantic, SQLAlchemy, WeasyPrint... from source again: about 1 s more for one that
# renders.
#
# Both test targets run on every core (pytest-xdist, one worker process per core, each file's
# tests on one worker so that module fixtures are made once; PYTEST_WORKERS=0 runs in this one
# process, e.g. for --pdb) with their temporary folders in memory (/dev/shm where the machine has
# it; on this machine's disk they cost about 10 s of kernel time in a fast run). Only the folders
# of failed tests are kept.
PYTHON     ?= python3
VENV       ?= .venv
BIN        := $(VENV)/bin
STAMP      := $(VENV)/.installed
OUT        ?= out
UV_VERSION := 0.13.8
UV_TOOLS   := .venv-tools
UV         := $(UV_TOOLS)/bin/uv
# uv uses this machine's Python (never a download) and puts the environment in $(VENV)
UV_ENV     := UV_PYTHON_DOWNLOADS=never UV_PROJECT_ENVIRONMENT=$(VENV) UV_PYTHON=$(PYTHON)
PYTEST_WORKERS ?= auto
TEST_TMPDIR    ?= $(if $(wildcard /dev/shm/.),/dev/shm,$(or $(TMPDIR),/tmp))
PYTEST     := TMPDIR=$(TEST_TMPDIR) $(BIN)/python -m pytest -q \
              -n $(PYTEST_WORKERS) --dist loadfile -o tmp_path_retention_policy=failed

PHONY_EXTRA := assets serve
.PHONY: $(PHONY_EXTRA) setup system venv demo test test-fast bench lock catalogue-lock schemas clean

setup: system venv assets

system:
	@bash scripts/setup-system.sh

# htmx for the web app, axe-core for the browser tests' accessibility scan (npm registry, pinned)
assets:
	@bash scripts/web-assets.sh --test

venv: $(STAMP)

$(UV):
	$(PYTHON) -m venv $(UV_TOOLS)
	$(UV_TOOLS)/bin/python -m pip install -q --disable-pip-version-check uv==$(UV_VERSION)

$(STAMP): pyproject.toml uv.lock | $(UV)
	$(UV_ENV) $(UV) sync --frozen --extra test --quiet --compile-bytecode
	@touch $@

# the web app on http://127.0.0.1:8000, over this checkout's workspace (SQLite in .docgen/)
serve: setup
	@bash scripts/serve.sh "$(BIN)"

demo: setup
	@bash scripts/demo.sh "$(BIN)" "$(OUT)"

test: setup
	$(PYTEST) $(PYTEST_ARGS)

test-fast: venv
	$(PYTEST) -m 'not slow' $(PYTEST_ARGS)

bench: setup
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

lock: | $(UV)
	$(UV_ENV) $(UV) lock

catalogue-lock: venv
	$(BIN)/python scripts/lock_sample.py .

schemas: venv
	$(BIN)/docgen schema export

clean:
	rm -rf $(OUT) .pytest_cache .hypothesis

-include mk/*.mk
