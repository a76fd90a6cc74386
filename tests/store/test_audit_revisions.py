"""Deal revisions and signed packs are in the audit chain (issue 12, SPEC §8, §9).

Recording a revision the database has not seen appends a ``revision.recorded`` row — on the
standard-library SQLite path ``docgen validate`` takes as on the store's own — and ``docgen pack``
appends ``pack.recorded``; ``docgen audit verify`` vouches for each recorded revision and pack and
names one that was edited, inserted or deleted outside docgen, or whose audit row was.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from docgen import api
from docgen.store import RevisionRecord, open_store
from docgen.workspace import Workspace
from tests.conftest import DOCGEN, admin_token_for, example, person_token
from tests.store.conftest import Backend

SAM = "sam.seller@brightfield.example"


def _docgen(ws: Path, *args: str, token: str | None = None) -> subprocess.CompletedProcess[str]:
    import os

    env = {k: v for k, v in os.environ.items()
           if k not in ("DOCGEN_WORKSPACE", "DOCGEN_DATABASE_URL", "DOCGEN_TOKEN",
                        "DOCGEN_SECRET_KEY")}
    if token:
        env["DOCGEN_TOKEN"] = token
    return subprocess.run([*DOCGEN, "-w", str(ws), *args], capture_output=True, text=True,
                          env=env, timeout=120, check=False)


def _sql(ws: Workspace, statement: str, **params: Any) -> None:
    """A statement run outside docgen, by someone with access to the database."""
    with open_store(ws) as store, store.engine.begin() as conn:
        conn.execute(text(statement), params)


def _rows(ws: Workspace, action: str) -> list[Any]:
    with open_store(ws) as store:
        return [e for e in store.audit_log() if e.action == action]


def test_validate_records_each_new_revision_once_in_the_chain(ws: Workspace) -> None:
    # given: a workspace with a database and a person (docgen validate then takes the
    # standard-library SQLite path, which never imports SQLAlchemy)
    token = person_token(ws, SAM)
    deal = example("D-2026-0101")

    # when: validated twice as Sam, then once more without a token
    first = _docgen(ws.root, "validate", str(deal), "--json", token=token)
    again = _docgen(ws.root, "validate", str(deal), token=token)

    # then: one revision.recorded row, by Sam, naming the deal and the revision's SHA-256
    assert first.returncode == 0 and again.returncode == 0, first.stderr + again.stderr
    revision = json.loads(first.stdout)["deals"][0]["revision"]
    (row,) = _rows(ws, "revision.recorded")
    assert (row.deal_id, row.subject, row.actor) == ("D-2026-0101", revision, SAM)
    assert row.data["revision"] == revision
    verified = _docgen(ws.root, "audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "chain and head intact" in verified.stdout


def test_the_light_validate_path_stays_light_and_audits(ws: Workspace) -> None:
    # given: a SQLite database at the current schema
    admin_token_for(ws)
    deal = example("D-2026-0042")
    code = ("import sys; from docgen import api\n"
            f"s = api.Session({str(ws.root)!r}); s.validate([{str(deal)!r}])\n"
            "print('sqlalchemy' in sys.modules)")

    # when: validated in a fresh interpreter, without a token
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=False)

    # then: the revision was audited (nobody known) without loading SQLAlchemy
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False"
    (row,) = _rows(ws, "revision.recorded")
    assert row.deal_id == "D-2026-0042" and row.actor is None


def test_store_records_revision_rows_on_both_backends(ws: Workspace, backend: Backend) -> None:
    # given
    with open_store(ws) as store:
        rec = RevisionRecord("D-9", "ab" * 32, "{}", "deal.yaml")
        # when: recorded twice
        store.record_revisions([rec], actor="sam@vendor.example")
        store.record_revisions([rec], actor="someone.else@vendor.example")
        # then: one row, by the first recorder; the chain verifies except that "{}" does not
        # hash to the made-up revision
        rows = [e for e in store.audit_log("D-9") if e.action == "revision.recorded"]
        assert [(e.subject, e.actor) for e in rows] == [("ab" * 32, "sam@vendor.example")]
        _, problems = store.verify_audit()
        assert [str(p) for p in problems] == [
            "deal_revisions row 1 (D-9 revision abababababab) does not hash to its revision: "
            "its content was edited outside docgen"]


def _recorded(ws: Workspace) -> str:
    admin_token_for(ws)
    with api.Session(ws.root) as s:
        (r,) = s.validate([example("D-2026-0101")])
    with open_store(ws) as store:
        assert store.verify_audit()[1] == []
    return r.revision


@pytest.mark.parametrize(("statement", "says"), [
    ("UPDATE deal_revisions SET content = replace(content, 'Brightfield', 'Darkfield')",
     "does not hash to its revision: its content was edited outside docgen"),
    ("UPDATE deal_revisions SET source = '/tmp/elsewhere.yaml'",
     "has no audit row that states it"),
    ("DELETE FROM deal_revisions",
     "no longer in deal_revisions: the revision was deleted outside docgen"),
    ("INSERT INTO deal_revisions (deal_id, revision, content, source, recorded_at) SELECT "
     "'D-FORGED', revision, content, source, recorded_at FROM deal_revisions",
     "(D-FORGED revision"),
    ("UPDATE audit_log SET actor = 'eve@evil.example' WHERE action = 'revision.recorded'",
     "its MAC does not match (revision.recorded"),
    ("DELETE FROM audit_log WHERE action = 'revision.recorded'",
     "has no audit row that states it"),
])
def test_audit_verify_names_a_tampered_revision(ws: Workspace, statement: str,
                                                says: str) -> None:
    # given: a recorded revision that verifies
    _recorded(ws)

    # when: the database is changed outside docgen
    _sql(ws, statement)

    # then: audit verify exits 1 and says what
    proc = _docgen(ws.root, "audit", "verify")
    assert proc.returncode == 1, proc.stdout
    assert "audit log does NOT verify" in proc.stdout and says in proc.stdout, proc.stdout


def test_revisions_recorded_before_the_audit_covered_them_are_adopted_on_upgrade(
        ws: Workspace) -> None:
    # given: a revision recorded by a docgen whose schema predates 0009 (no audit row; the
    # chain's head moved back to the row before, as that docgen left it)
    import sqlite3

    from docgen.audit import head_mac

    revision = _recorded(ws)
    with open_store(ws) as store:
        before = [e for e in store.audit_log() if e.action != "revision.recorded"][-1]
        key = store.secret.get()
    assert key is not None
    db = sqlite3.connect(ws.state_dir / "docgen.db")
    with db:
        db.execute("DELETE FROM audit_log WHERE action = 'revision.recorded'")
        db.execute("UPDATE audit_head SET seq = ?, mac = ?, head_mac = ?",
                   (before.seq, before.mac, head_mac(key, before.seq, before.mac)))
        # back to 0007: without 0010_queue's table, 0008_evidence's tables and column
        # (0008 rechained after 0009) ...
        db.execute("DROP TABLE queued_documents")
        for table in ("deal_evidence", "evidence_files"):
            db.execute(f"DROP TABLE {table}")
        db.execute("ALTER TABLE deal_revisions DROP COLUMN findings")
        # ... and 0009's
        for table in ("template_activations", "staged_templates", "template_blobs"):
            db.execute(f"DROP TABLE {table}")
        db.execute("ALTER TABLE issued_documents DROP COLUMN template_version")
        db.execute("UPDATE alembic_version SET version_num = '0007_notify'")
    db.close()

    # when: the next docgen opens it (and migrates)
    with open_store(ws) as store:
        rows = [e for e in store.audit_log() if e.action == "revision.recorded"]
        _, problems = store.verify_audit()

    # then: the revision has its row, saying it was adopted, and the chain verifies
    assert [(e.subject, e.actor) for e in rows] == [(revision, None)]
    assert "adopted" in rows[0].data and problems == []


@pytest.mark.slow
def test_pack_appends_an_audit_row_and_a_forged_pack_row_is_named(ws_path: Path,
                                                                  tmp_path: Path) -> None:
    # given: an issued PO and SOW of a deal
    token = admin_token_for(ws_path)
    deal = example("D-2026-0101")
    out = tmp_path / "out"
    with api.Session(ws_path, token=token) as s:
        for kind in ("po", "sow"):
            s.render(kind, [deal], out_dir=out, issue_date=__import__("datetime").date(
                2026, 11, 22), jobs=1)
    po = next(out.glob("D-2026-0101-po-*.pdf"))
    sow = next(out.glob("D-2026-0101-sow-*.pdf"))

    # when: packed by the administrator
    proc = _docgen(ws_path, "pack", str(po), str(sow), "-o", str(tmp_path / "pack.pdf"),
                   token=token)

    # then: one pack.recorded row, by them, naming the pack's own SHA-256; the chain verifies
    assert proc.returncode == 0, proc.stdout + proc.stderr
    import hashlib

    sha = hashlib.sha256((tmp_path / "pack.pdf").read_bytes()).hexdigest()
    ws = Workspace(ws_path)
    (row,) = _rows(ws, "pack.recorded")
    assert (row.subject, row.actor, row.data["number"]) == (sha, "admin@localhost",
                                                            "PO-2026-000001")
    assert _docgen(ws_path, "audit", "verify").returncode == 0

    # and a signed_files row inserted outside docgen (what `verify` would accept) is named
    _sql(ws, "INSERT INTO signed_files (sha256, kind, number, deal_id, path, created_at) "
             "VALUES (:s, 'pack', 'PO-2026-000001', 'D-2026-0101', NULL, '2026-11-22')",
         s="f" * 64)
    bad = _docgen(ws_path, "audit", "verify")
    assert bad.returncode == 1
    assert "signed_files row ffffffffffff (pack of PO-2026-000001) has no audit row" in bad.stdout
