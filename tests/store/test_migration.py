"""Upgrading a database made by the first schema (0001) keeps every approval and PO number."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import insert, select, text

from docgen.store import SCHEMA_REVISION, open_store, sqlite_path
from docgen.store._sql import MIGRATIONS, _engine_for
from docgen.workspace import Workspace
from tests.store.conftest import Backend

pytestmark = pytest.mark.slow

T0 = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def _upgrade_to(engine: Any, revision: str) -> None:
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("path_separator", "os")
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def _old_rows(conn: Any) -> dict[str, list[dict[str, Any]]]:
    """Rows as 0001 wrote them: two POs issued for one deal (the old bug), a reserved and a
    void number, requests and decisions."""
    from sqlalchemy import MetaData, Table

    md = MetaData()
    t = {n: Table(n, md, autoload_with=conn) for n in
         ("approval_requests", "approval_decisions", "po_sequences", "issued_documents")}
    naive = T0 if conn.dialect.name != "sqlite" else T0.replace(tzinfo=None)
    rows = {
        "approval_requests": [
            {"deal_id": "D-1", "code": "CAT002", "location": "lines[3]", "fingerprint": "f" * 64,
             "approvers": "cs", "message": "custom line", "amount": "4500.00",
             "currency": "EUR", "requested_at": naive, "requested_by": "sam@x.example"}],
        "approval_decisions": [
            {"deal_id": "D-1", "code": "CAT002", "location": "lines[3]", "fingerprint": "f" * 64,
             "role": "cs", "decided_by": "cs.lead@x.example", "decision": "approve",
             "note": "ok", "decided_at": naive}],
        "po_sequences": [{"prefix": "PO", "year": 2026, "last_number": 4}],
        "issued_documents": [
            {"number": f"PO-2026-00000{i}", "prefix": "PO", "year": 2026, "seq": i,
             "deal_id": deal, "fingerprint": fp, "status": status,
             "file_sha256": "a" * 64 if status == "issued" else None,
             "path": f"/out/{i}.pdf" if status == "issued" else None,
             "issued_on": date(2026, 11, 20) if status == "issued" else None,
             "void_reason": "render failed" if status == "void" else None,
             "reserved_at": naive, "updated_at": naive}
            for i, deal, fp, status in [(1, "D-1", "fp1", "issued"), (2, "D-2", "fp2", "void"),
                                        (3, "D-1", "fp1b", "issued"),
                                        (4, "D-3", "fp3", "reserved")]],
    }
    for name, values in rows.items():
        conn.execute(insert(t[name]), values)
    return rows


def test_upgrade_from_0001_keeps_every_approval_and_number(ws: Workspace,
                                                           backend: Backend) -> None:
    # given: a database at 0001 with rows in every table
    engine = _engine_for(backend.url or sqlite_path(ws))
    try:
        _upgrade_to(engine, "0001")
        with engine.begin() as conn:
            old = _old_rows(conn)
    finally:
        engine.dispose()
    # when: docgen opens it (and migrates it to the head)
    with open_store(ws) as store:
        revision = store.schema_revision()
        requests, decisions = store.requests(["D-1"]), store.decisions(["D-1"])
        docs = {d.number: d for d in store.documents()}
        with store.engine.connect() as conn:
            counter = conn.execute(text("SELECT last_number FROM po_sequences")).scalar()
        nxt = store.reserve_po_numbers([("D-4", "fp4")], year=2026, prefix="PO")
    # then: at the head, every row kept, numbers unchanged
    assert revision == SCHEMA_REVISION
    assert [(r.code, r.where, r.amount, r.requested_by, r.requested_at) for r in requests] == [
        ("CAT002", "lines[3]", __import__("decimal").Decimal("4500.00"), "sam@x.example", T0)]
    assert [(d.role, d.by, d.decision, d.note, d.decided_at) for d in decisions] == [
        ("cs", "cs.lead@x.example", "approve", "ok", T0)]
    assert counter == 4
    assert sorted(docs) == [r["number"] for r in old["issued_documents"]]
    assert nxt == ["PO-2026-000005"]
    # the deal that had two issued POs keeps the newest one valid, the older superseded by it
    assert docs["PO-2026-000003"].status == "issued"
    assert docs["PO-2026-000001"].status == "superseded"
    assert docs["PO-2026-000001"].superseded_by == "PO-2026-000003"
    assert docs["PO-2026-000002"].status == "void"
    assert docs["PO-2026-000002"].reason == "render failed"
    assert docs["PO-2026-000004"].status == "reserved"
    assert {d.kind for d in docs.values()} == {"po"}
    assert docs["PO-2026-000003"].file_sha256 == "a" * 64


def test_unique_indexes_hold_whatever_python_does(store: Any) -> None:
    # given: a live reservation of one deal revision
    from sqlalchemy.exc import IntegrityError

    from docgen.store import IssueRequest
    from docgen.store._tables import issued_documents

    req = IssueRequest("D-1", "po", "r" * 64, "fp")
    (claim,) = store.claim_issues([req], year=2026, prefix="PO").claims
    row = {"prefix": "PO", "year": 2026, "deal_id": "D-1", "kind": "po", "revision": "r" * 64,
           "fingerprint": "fp", "reserved_at": T0, "updated_at": T0}
    # when / then: a second live row of the same revision is refused by the database itself
    with pytest.raises(IntegrityError), store.engine.begin() as conn:
        conn.execute(insert(issued_documents).values(number="X-1", seq=900, status="reserved",
                                                     **row))
    # and so is a second issued document of the same deal and kind
    store.record_issue(claim.document.number, files={"pdf": ("s" * 64, b"%PDF")},
                       path="/o/a.pdf", issued_on=date(2026, 11, 20))
    with pytest.raises(IntegrityError), store.engine.begin() as conn:
        conn.execute(insert(issued_documents).values(
            number="X-2", seq=901, status="issued", **(row | {"revision": "q" * 64})))
    # a void row of the same revision is no obstacle: numbers are never reused, revisions may be
    with store.engine.begin() as conn:
        conn.execute(insert(issued_documents).values(number="X-3", seq=902, status="void", **row))
    with store.engine.connect() as conn:
        assert conn.execute(select(issued_documents.c.number)
                            .where(issued_documents.c.status == "issued")).scalars().all() == [
            claim.document.number]


@pytest.mark.postgres
def test_claim_that_loses_the_race_rolls_back_and_finds_the_winner(
        ws: Workspace, postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # given: another process commits a reservation of the same revision between this process's
    # look-up and its insert (READ COMMITTED on PostgreSQL lets that happen)
    from docgen.store import IssueRequest
    from docgen.store._sql import Store
    from docgen.store._tables import issued_documents, po_sequences

    monkeypatch.setenv("DOCGEN_DATABASE_URL", postgres_url)
    store = open_store(ws)
    other = open_store(ws)
    req = IssueRequest("D-9", "po", "r" * 64, "fp")
    real = Store._adopt_legacy
    raced: list[str] = []

    def racing(conn: Any, request: IssueRequest) -> Any:
        if not raced:
            raced.append("")  # the other process's own look-up goes straight through
            raced[0] = other.claim_issues([request], year=2026,
                                          prefix="PO").claims[0].document.number
        return real(conn, request)

    monkeypatch.setattr(Store, "_adopt_legacy", staticmethod(racing))
    try:
        # when
        got = store.claim_issues([req], year=2026, prefix="PO").claims
        # then: the loser's insert failed on the unique index, rolled back (its number given
        # back) and it found the winner's live reservation, held by a live connection
        assert [(c.state, c.document.number) for c in got] == [("busy", raced[0])]
        with store.engine.connect() as conn:
            assert conn.execute(select(po_sequences.c.last_number)).scalar() == 1
            assert conn.execute(select(issued_documents.c.number)).scalars().all() == raced
    finally:
        other.close()
        store.close()
