"""The store: migrations, PO numbers (gapless, never reused, across processes), issued documents."""

from __future__ import annotations

import multiprocessing
import os
import signal
import socket
import subprocess
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from docgen.errors import InputError
from docgen.store import SCHEMA_REVISION, IssuedDocument, has_database, open_store, sqlite_path
from docgen.workspace import Workspace
from tests.conftest import REPO
from tests.store.conftest import Backend

pytestmark = pytest.mark.slow  # subprocesses and renders: `make test-fast` leaves it out


def test_store_schema_revision_is_the_migrations_head() -> None:
    # given
    from alembic.script import ScriptDirectory

    from docgen.store._sql import MIGRATIONS

    # when
    heads = ScriptDirectory(str(MIGRATIONS)).get_heads()

    # then
    assert heads == [SCHEMA_REVISION]


def test_store_migrations_match_the_tables(store: Any) -> None:
    # given
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from docgen.store._tables import metadata

    # when
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)

    # then
    assert diff == []
    assert store.schema_revision() == SCHEMA_REVISION


def test_store_default_is_sqlite_in_the_state_dir(ws: Workspace) -> None:
    # given
    assert not has_database(ws)

    # when
    with open_store(ws) as s:
        dialect = s.dialect

    # then
    assert dialect == "sqlite"
    assert sqlite_path(ws) == ws.root / ".docgen" / "docgen.db"
    assert sqlite_path(ws).is_file()
    assert has_database(ws)


def test_store_env_url_wins(ws: Workspace, monkeypatch: pytest.MonkeyPatch,
                            tmp_path: Path) -> None:
    # given
    other = tmp_path / "elsewhere.db"
    monkeypatch.setenv("DOCGEN_DATABASE_URL", f"sqlite:///{other}")

    # when
    with open_store(ws) as s:
        s.reserve_po_numbers([("D-1", "fp")], year=2026, prefix="PO")

    # then
    assert other.is_file()
    assert not sqlite_path(ws).exists()


def test_store_unreachable_database_is_input_error(ws: Workspace,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # given: a port nothing listens on, and a password that must not be shown
    monkeypatch.setenv("DOCGEN_DATABASE_URL",
                       "postgresql+psycopg://u:secret@127.0.0.1:1/none?connect_timeout=2")

    # when
    with pytest.raises(InputError) as exc:
        open_store(ws)

    # then
    text = str(exc.value)
    assert "DOCGEN_DATABASE_URL" in text
    assert "secret" not in text


def test_store_unknown_driver_is_input_error(ws: Workspace,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCGEN_DATABASE_URL", "nosuchdb://x/y")
    with pytest.raises(InputError):
        open_store(ws)


def test_store_reserves_consecutive_numbers(store: Any) -> None:
    # when
    first = store.reserve_po_numbers([("D-1", "a"), ("D-2", "b")], year=2026, prefix="PO")
    second = store.reserve_po_numbers([("D-3", "c")], year=2026, prefix="PO")
    other_year = store.reserve_po_numbers([("D-4", "d")], year=2027, prefix="PO")
    other_prefix = store.reserve_po_numbers([("D-5", "e")], year=2026, prefix="ACME")

    # then
    assert first == ["PO-2026-000001", "PO-2026-000002"]
    assert second == ["PO-2026-000003"]
    assert other_year == ["PO-2027-000001"]
    assert other_prefix == ["ACME-2026-000001"]
    got = store.issued("PO-2026-000002")
    assert replace(got, reserved_at=None, updated_at=None, holder=None) == IssuedDocument(
        number="PO-2026-000002", deal_id="D-2", fingerprint="b", file_sha256=None, path=None,
        issued_on=None, status="reserved")
    assert got.holder == f"process {os.getpid()} on host {socket.gethostname()}"
    assert store.reserve_po_numbers([], year=2026, prefix="PO") == []


def test_store_issue_void_and_find(store: Any) -> None:
    # given
    a, b, c = store.reserve_po_numbers([("D-1", "fp1"), ("D-2", "fp2"), ("D-1", "fp1")],
                                       year=2026, prefix="PO")

    # when
    store.record_issue(a, file_sha256="0" * 64, path="/out/a.pdf", issued_on=date(2026, 11, 20))
    store.void_number(b, "render failed: missing glyph")
    store.void_number(b, "again")  # idempotent

    # then
    found = store.find_issue("D-1", "fp1")
    assert found is not None
    assert (found.number, found.status, found.issued_on) == (a, "issued", date(2026, 11, 20))
    assert found.file_sha256 == "0" * 64
    assert store.find_issue("D-2", "fp2") is None      # void is not an issue
    assert store.find_issue("D-1", "other") is None
    assert store.issued(b).status == "void"              # kept, never reused
    assert store.issued(c).status == "reserved"
    assert store.issued("PO-2026-999999") is None
    assert store.reserve_po_numbers([("D-3", "x")], year=2026, prefix="PO") == ["PO-2026-000004"]
    assert [d.number for d in store.documents()] == [a, b, c, "PO-2026-000004"]


def test_store_refuses_wrong_transitions(store: Any) -> None:
    # given
    (n,) = store.reserve_po_numbers([("D-1", "fp")], year=2026, prefix="PO")
    store.record_issue(n, file_sha256="1" * 64, path="p", issued_on=date(2026, 1, 2))

    # then
    with pytest.raises(ValueError, match="issued"):
        store.void_number(n, "too late")
    with pytest.raises(ValueError, match="issued"):
        store.record_issue(n, file_sha256="2" * 64, path="p", issued_on=date(2026, 1, 2))
    with pytest.raises(LookupError):
        store.record_issue("PO-2026-000077", file_sha256="x", path="p",
                           issued_on=date(2026, 1, 2))
    with pytest.raises(LookupError):
        store.void_number("PO-2026-000077", "x")


def test_store_numbers_beyond_six_digits_are_refused(store: Any) -> None:
    # given
    from sqlalchemy import insert

    from docgen.store._tables import po_sequences

    with store.engine.begin() as conn:
        conn.execute(insert(po_sequences).values(prefix="PO", year=2026, last_number=999_998))

    # when
    (last,) = store.reserve_po_numbers([("D-1", "a")], year=2026, prefix="PO")
    with pytest.raises(InputError, match="exhausted"):
        store.reserve_po_numbers([("D-2", "b")], year=2026, prefix="PO")

    # then
    assert last == "PO-2026-999999"


def test_store_newer_schema_is_refused(ws: Workspace, store: Any) -> None:
    # given: a database migrated by a newer docgen
    from sqlalchemy import text

    with store.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))

    # when / then
    with pytest.raises(InputError, match="9999.*upgrade docgen"):
        open_store(ws)


def test_store_reopening_skips_migrations(ws: Workspace, backend: Backend) -> None:
    # given
    with open_store(ws) as s:
        s.reserve_po_numbers([("D-1", "a")], year=2026, prefix="PO")

    # when
    with open_store(ws) as s:
        numbers = s.reserve_po_numbers([("D-2", "b")], year=2026, prefix="PO")

    # then
    assert numbers == ["PO-2026-000002"]


# -- several processes at once ---------------------------------------------------------------

WORKERS = 4
ROUNDS = 12


def test_store_numbers_distinct_and_gapless_across_processes(ws: Workspace,
                                                             backend: Backend) -> None:
    # given: the schema exists (workers also open it concurrently, which must be safe too)
    from tests.store._workers import reserve_into

    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(WORKERS)
    queue = ctx.Queue()
    procs = [ctx.Process(target=reserve_into,
                         args=(queue, str(ws.root), backend.url, w, ROUNDS, barrier))
             for w in range(WORKERS)]

    # when
    for p in procs:
        p.start()
    by_worker = dict(queue.get(timeout=300) for _ in procs)
    for p in procs:
        p.join(timeout=60)

    # then
    assert all(p.exitcode == 0 for p in procs)
    assert all(not isinstance(v, str) for v in by_worker.values()), by_worker
    results = list(by_worker.values())
    numbers = [n for worker in results for n in worker]
    expected = sum(1 + (i + w) % 3 for w in range(WORKERS) for i in range(ROUNDS))
    assert len(numbers) == expected
    assert len(set(numbers)) == expected, "a number was handed out twice"
    assert sorted(numbers) == [f"PO-2026-{n:06d}" for n in range(1, expected + 1)], "a gap"
    for worker in results:  # each process got increasing numbers
        assert worker == sorted(worker)
    with open_store(ws) as s:
        docs = s.documents()
        chain = s.verify_audit()
    assert [d.number for d in docs] == sorted(numbers)
    assert {d.status for d in docs} == {"reserved"}
    # every reservation appended its audit row, from four processes at once: one chain, no fork
    assert chain == (expected, [])


def _hang_then_kill(ws: Workspace, backend: Backend, table: str, *extra: str) -> None:
    """Start a child that stops inside a write transaction on `table`, and SIGKILL it there."""
    env = {k: v for k, v in os.environ.items() if k != "DOCGEN_DATABASE_URL"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.store._workers", str(ws.root), backend.url or "-", table,
         *extra],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.strip() == "ready", (line, proc.stderr.read() if proc.poll() else "")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL


def test_store_killed_mid_reservation_gives_the_number_back(ws: Workspace,
                                                            backend: Backend) -> None:
    # given
    with open_store(ws) as s:
        s.reserve_po_numbers([("D-1", "a")], year=2026, prefix="PO")

    # when: a process dies after advancing the counter, before committing
    _hang_then_kill(ws, backend, "po_sequences")

    # then: nothing of it is left, the lock is free, and the sequence continues without a gap
    with open_store(ws) as s:
        assert [d.number for d in s.documents()] == ["PO-2026-000001"]
        assert s.reserve_po_numbers([("D-2", "b")], year=2026, prefix="PO") == ["PO-2026-000002"]
