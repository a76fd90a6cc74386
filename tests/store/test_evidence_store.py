"""Recorded evidence and revision findings in the store, on SQLite and PostgreSQL (issue 15)."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import delete, func, select, update

from docgen.audit import Secret
from docgen.evidence import Attachment, EvidenceRecord, vouched
from docgen.store import RevisionRecord
from docgen.store._evidence import EvidenceBook
from docgen.store._tables_evidence import deal_evidence, evidence_files
from tests.store.conftest import person

BLOB = b"%PDF-1.7 signed credit application\n"
SHA = hashlib.sha256(BLOB).hexdigest()


def _record(item: str, status: str = "received", *, sha: str | None = SHA) -> EvidenceRecord:
    return EvidenceRecord(deal_id="D-1", item=item, status=status,  # type: ignore[arg-type]
                          on=date(2026, 11, 2), by="sam@x.example",
                          at=datetime(2026, 11, 2, 9, 30, 1, 123456, tzinfo=UTC),
                          file_sha256=sha, file_name="ca.pdf" if sha else None,
                          file_size=len(BLOB) if sha else None)


def test_evidence_is_recorded_once_per_content_and_never_changed(store: Any) -> None:
    # given
    person(store, "sam@x.example")
    book = EvidenceBook(store)
    file = Attachment(name="ca.pdf", sha256=SHA, size=len(BLOB), content=BLOB)
    # when: one file for two items, and the first record again
    first, created = book.record(_record("credit_application"), file)
    other, _ = book.record(_record("billing_details"), file)
    again, created_again = book.record(_record("credit_application"), file)
    # then
    assert created and not created_again and again == first
    assert first.id is not None and first.at == _record("x").at
    assert book.file(SHA) == BLOB
    with store._read() as conn:  # noqa: SLF001
        assert conn.execute(select(func.count()).select_from(evidence_files)).scalar() == 1
    assert [r.item for r in store.evidence_for("D-1")] == ["credit_application",
                                                          "billing_details"]
    # every record is vouched for by its audit row
    key = Secret(store.secret.state_dir).get()
    assert vouched(key, store.evidence_for("D-1"), store.audit_for("D-1")) == [first, other]
    assert store.verify_audit()[1] == []
    # the database refuses to change or delete them
    for stmt in (update(evidence_files).values(size=1), delete(evidence_files),
                 update(deal_evidence).values(status="approved"), delete(deal_evidence)):
        with pytest.raises(Exception, match="never changed or deleted"):  # noqa: PT011
            with store._write() as conn:  # noqa: SLF001
                conn.execute(stmt)


def test_revisions_keep_their_approval_findings(store: Any) -> None:
    keys = (("PRC001", "lines[0]", "f" * 64), ("CAT002", "lines[3]", "e" * 64))
    # given: one revision recorded without findings (an older docgen), one with
    store.record_revisions([RevisionRecord("D-1", "a" * 64, "{}"),
                            RevisionRecord("D-1", "b" * 64, "{}", findings=keys)])
    # when: the first is recorded again, now with its findings
    store.record_revisions([RevisionRecord("D-1", "a" * 64, "{}", findings=keys[:1])])
    # then
    got = {r.revision[0]: r.findings for r in store.revision_findings(["D-1"])}
    assert got == {"a": frozenset(keys[:1]), "b": frozenset(keys)}
