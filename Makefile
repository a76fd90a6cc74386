# docgen — set-up, demo, tests and benchmarks. Every target creates what it needs:
#   make demo   system packages + virtual environment, then the sample PO, SOW and onboarding form
#   make test   the same set-up, then the whole test suite (SQLite and a throwaway PostgreSQL)
#   make bench  the speed figures of SPEC §7 beside their targets
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
OUT    ?= out

.PHONY: setup system venv demo test bench lock schemas clean

setup: system venv

system:
	@bash scripts/setup-system.sh

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $@

demo: setup
	@bash scripts/demo.sh "$(BIN)" "$(OUT)"

test: setup
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

bench: setup
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

lock: venv
	$(BIN)/docgen catalogue lock

schemas: venv
	$(BIN)/docgen schema export

clean:
	rm -rf $(OUT) .pytest_cache .hypothesis

-include mk/*.mk
