#!/usr/bin/env bash
# Run the test suite against one throwaway PostgreSQL server (and SQLite, as always).
#
#   scripts/pg-test.sh                 # the whole suite
#   scripts/pg-test.sh tests/store -x  # any pytest arguments
#
# The suite needs no help to do this: tests/conftest.py starts its own server when
# DOCGEN_TEST_DATABASE_URL is unset. This script is for running pytest several times (or
# several pytest processes) against one server, and for CI that wants the server's log kept:
# it installs PostgreSQL if initdb is missing (apt, as root), initialises a cluster in a temporary
# folder as the `postgres` user, starts it on a free localhost port, exports
# DOCGEN_TEST_DATABASE_URL (each test gets its own schema there), runs pytest and stops the
# server on exit. Set DOCGEN_PG_DIR to keep the cluster in a folder of your choice.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-.venv/bin/python}"
DIR="${DOCGEN_PG_DIR:-$(mktemp -d -t docgen-pg-XXXXXX)}"
stop() { "$PY" -m tests.store.pgserver stop "$DIR" >/dev/null 2>&1 || true; }
trap stop EXIT
URL="$("$PY" -m tests.store.pgserver start "$DIR")"
echo "pg-test: PostgreSQL at ${URL} (cluster in ${DIR})" >&2
DOCGEN_TEST_DATABASE_URL="$URL" "$PY" -m pytest "$@"
